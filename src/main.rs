use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    guichet::cli::run(guichet::cli::Cli::parse()).await
}
