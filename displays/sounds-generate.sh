#!/bin/sh
# Generates the lobby display's spoken clips in displays/static/sounds/ with
# espeak-ng and sox: Latin letters as French and as Arabic name them, the
# words numbers are made of in each language ("dix", "sept", "et";
# "اثنان", "و", "عشرون"…), and the phrases "ticket numéro" / "رقم التذكرة"
# and "guichet" / "الشباك رقم". The display joins them, one clip a word
# ("ticket numéro, A, quarante, deux, guichet, trois"): numbers are said as
# numbers (A042 is "A quarante-deux"). The names must match the words of
# displays/static/lobby-announcer.js and the list in
# src/http/pages/lobby/view.rs.
#
# Clips are mono Ogg Vorbis at 16 kHz with the silence around them trimmed:
# a few kilobytes each. Run again after changing a word; commit the clips.
set -eu
cd "$(dirname "$0")/static/sounds"
rm -f ./*.ogg

say() { # say VOICE NAME TEXT
    wav=$(mktemp --suffix=.wav)
    espeak-ng -v "$1" -s 135 -w "$wav" "$3"
    sox "$wav" -c 1 -r 16000 -C 0 "$2.ogg" \
        silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse \
        pad 0 0.08 norm -1
    rm -f "$wav"
}

for letter in a b c d e f g h i j k l m n o p q r s t u v w x y z; do
    # Lower case: espeak-ng reads a lone capital as a word in some voices.
    say fr "fr-letter-$letter" "$letter"
done
# Latin letters as Arabic names them, in the order a to z.
set -- إيه بي سي دي إي إف جي إتش آي جاي كاي إل إم إن أو پي كيو آر إس تي يو ڤي دبليو إكس واي زد
for letter in a b c d e f g h i j k l m n o p q r s t u v w x y z; do
    say ar "ar-letter-$letter" "$1"
    shift
done

n=0
for word in zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize; do
    say fr "fr-n-$n" "$word"
    n=$((n + 1))
done
n=20
for word in vingt trente quarante cinquante soixante; do
    say fr "fr-n-$n" "$word"
    n=$((n + 10))
done
say fr fr-n-100 cent
say fr fr-n-1000 mille
say fr fr-et et

n=0
for word in صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة; do
    say ar "ar-n-$n" "$word"
    n=$((n + 1))
done
n=20
for word in عشرون ثلاثون أربعون خمسون ستون سبعون ثمانون تسعون; do
    say ar "ar-n-$n" "$word"
    n=$((n + 10))
done
n=100
for word in مئة مئتان ثلاثمئة أربعمئة خمسمئة ستمئة سبعمئة ثمانمئة تسعمئة; do
    say ar "ar-n-$n" "$word"
    n=$((n + 100))
done
say ar ar-n-1000 ألف
say ar ar-n-2000 ألفان
say ar ar-alaf آلاف
say ar ar-ahad أحد
say ar ar-ithna اثنا
say ar ar-ashar عشر
say ar ar-and وَ

say fr fr-ticket "ticket numéro"
say fr fr-counter "guichet"
say ar ar-ticket "رقم التذكرة"
say ar ar-counter "الشباك رقم"
ls ./*.ogg | wc -l
du -ch ./*.ogg | tail -1
