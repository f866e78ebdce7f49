#!/bin/sh
# Regenerates the alert clips shipped with the dashboard and the admin pages.
# Needs Debian's espeak-ng (voice cmn-latn-pinyin reads Mandarin properly) and sox.
# Each clip is a short two-tone chime followed by the spoken sentence, so the
# sound is recognisable even before the words are understood.
# Run from anywhere: sh notifications/static/notifications/audio/make-clips.sh
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_clip() {
    name=$1
    text=$2
    tones=$3
    espeak-ng -v cmn-latn-pinyin -s 150 -a 180 -w "$work/$name-voice.wav" "$text"
    parts=""
    i=0
    for tone in $tones; do  # each tone is seconds:hertz
        i=$((i + 1))
        sox -n -r 22050 -c 1 "$work/$name-tone$i.wav" \
            synth "${tone%%:*}" sine "${tone##*:}" fade 0.01 0 0.03 vol 0.5
        parts="$parts $work/$name-tone$i.wav"
    done
    sox -n -r 22050 -c 1 "$work/$name-gap.wav" trim 0 0.25
    # shellcheck disable=SC2086  # $parts is a list of file names without spaces
    sox $parts "$work/$name-gap.wav" "$work/$name-voice.wav" "$work/$name-full.wav" \
        rate 22050 norm -1
    sox "$work/$name-full.wav" -C 3 "$name.ogg"
    # Safari before 17 plays no Ogg Vorbis: a 16 kHz WAV is the fallback.
    sox "$work/$name-full.wav" -r 16000 -b 16 "$name.wav"
}

make_clip new-order "您有新的外卖订单，请及时处理" "0.18:880 0.3:1320"
make_clip urge "客户催单，请尽快处理" "0.12:1320 0.12:990 0.12:1320 0.12:990"
