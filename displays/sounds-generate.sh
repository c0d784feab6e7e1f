#!/bin/sh
# Generates the lobby display's spoken clips in displays/static/sounds/ with
# espeak-ng and sox: Latin letters and digits in French, digits in Arabic,
# and the phrases "ticket numéro" / "رقم التذكرة" and "guichet" /
# "الشباك رقم". The display joins them ("ticket numéro, A, 0, 4, 2,
# guichet 3"), so a few dozen clips say every ticket; numbers are said digit
# by digit, as they are printed (A042).
#
# Clips are mono Ogg Vorbis at 16 kHz with the silence around them trimmed:
# a few kilobytes each. Run again after changing a word; commit the clips.
set -eu
cd "$(dirname "$0")/static/sounds"
rm -f ./*.ogg

say() { # say VOICE NAME TEXT
    wav=$(mktemp --suffix=.wav)
    espeak-ng -v "$1" -s 135 -w "$wav" "$3"
    sox "$wav" -c 1 -r 16000 "$2.ogg" \
        silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse \
        pad 0 0.08 norm -1
    rm -f "$wav"
}

for letter in A B C D E F G H I J K L M N O P Q R S T U V W X Y Z; do
    # Lower case: espeak-ng reads a lone capital as a word in some voices.
    say fr "fr-letter-$(echo "$letter" | tr 'A-Z' 'a-z')" "$(echo "$letter" | tr 'A-Z' 'a-z')"
done
set -- zéro un deux trois quatre cinq six sept huit neuf
digit=0
for word in "$@"; do
    say fr "fr-digit-$digit" "$word"
    digit=$((digit + 1))
done
set -- صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة
digit=0
for word in "$@"; do
    say ar "ar-digit-$digit" "$word"
    digit=$((digit + 1))
done
say fr fr-ticket "ticket numéro"
say fr fr-counter "guichet"
say ar ar-ticket "رقم التذكرة"
say ar ar-counter "الشباك رقم"
du -ch ./*.ogg | tail -1
