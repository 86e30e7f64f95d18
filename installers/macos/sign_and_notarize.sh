#!/usr/bin/env bash
# Sign memtray.app or its .dmg with a Developer ID, and notarize the .dmg, all driven by environment
# variables. Without them each part is skipped with a message and the build stays usable: the app is
# then only ad-hoc signed, and people open it the first time with right-click > Open.
#
#   installers/macos/sign_and_notarize.sh app dist/memtray.app
#   installers/macos/sign_and_notarize.sh dmg dist/memtray-0.1.0-macos-arm64.dmg
#
# Signing:       MACOS_SIGN_IDENTITY   e.g. "Developer ID Application: Jane Doe (AB12CD34EF)"
#   in CI also:  MACOS_CERTIFICATE_P12 (base64 of the exported .p12) and MACOS_CERTIFICATE_PASSWORD;
#                they are imported into a temporary keychain that only this build uses.
# Notarizing:    APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD (an app-specific password).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENTITLEMENTS="$HERE/entitlements.plist"

usage() {
    echo "usage: $0 app PATH.app | dmg PATH.dmg" >&2
    exit 2
}

[ "$#" -eq 2 ] || usage
KIND="$1"
TARGET="$2"
case "$KIND" in
    app | dmg) ;;
    *) usage ;;
esac
[ -e "$TARGET" ] || { echo "sign_and_notarize: $TARGET does not exist" >&2; exit 1; }

if [ -z "${MACOS_SIGN_IDENTITY:-}" ]; then
    echo "sign_and_notarize: MACOS_SIGN_IDENTITY is not set; skipping signing and notarization of $TARGET."
    exit 0
fi

import_certificate() {
    if security find-identity -v -p codesigning | grep -qF "$MACOS_SIGN_IDENTITY"; then
        return
    fi
    if [ -z "${MACOS_CERTIFICATE_P12:-}" ] || [ -z "${MACOS_CERTIFICATE_PASSWORD:-}" ]; then
        echo "sign_and_notarize: '$MACOS_SIGN_IDENTITY' is not in a keychain and MACOS_CERTIFICATE_P12 /" \
            "MACOS_CERTIFICATE_PASSWORD are not set." >&2
        exit 1
    fi
    local workdir keychain password
    workdir="$(mktemp -d)"
    keychain="$workdir/memtray-signing.keychain-db"
    password="$(openssl rand -hex 24)"
    printf '%s' "$MACOS_CERTIFICATE_P12" | base64 --decode > "$workdir/certificate.p12"
    security create-keychain -p "$password" "$keychain"
    security set-keychain-settings -lut 21600 "$keychain"
    security unlock-keychain -p "$password" "$keychain"
    security import "$workdir/certificate.p12" -k "$keychain" -P "$MACOS_CERTIFICATE_PASSWORD" -T /usr/bin/codesign
    security set-key-partition-list -S apple-tool:,apple: -s -k "$password" "$keychain" >/dev/null
    # Put the temporary keychain first in the search list, keeping the existing ones.
    local existing=()
    while IFS= read -r line; do
        line="${line#"${line%%[![:space:]]*}"}"
        existing+=("${line//\"/}")
    done < <(security list-keychains -d user)
    security list-keychains -d user -s "$keychain" "${existing[@]}"
    rm -f "$workdir/certificate.p12"
}

sign() {
    codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
        --sign "$MACOS_SIGN_IDENTITY" "$@"
}

sign_app() {
    local app="$1"
    # Inside out: every Mach-O file first, then the bundle itself.
    while IFS= read -r -d '' file; do
        if file -b "$file" | grep -q "Mach-O"; then
            sign "$file"
        fi
    done < <(find "$app/Contents/Frameworks" "$app/Contents/Resources" -type f -print0 2>/dev/null)
    sign "$app"
    codesign --verify --deep --strict --verbose=2 "$app"
    echo "sign_and_notarize: signed $app as '$MACOS_SIGN_IDENTITY'."
}

notarize_dmg() {
    local dmg="$1"
    codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
    if [ -z "${APPLE_ID:-}" ] || [ -z "${APPLE_TEAM_ID:-}" ] || [ -z "${APPLE_APP_PASSWORD:-}" ]; then
        echo "sign_and_notarize: APPLE_ID, APPLE_TEAM_ID or APPLE_APP_PASSWORD is not set; $dmg is signed" \
            "but not notarized."
        return
    fi
    xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$dmg"
    xcrun stapler validate "$dmg"
    echo "sign_and_notarize: notarized and stapled $dmg."
}

import_certificate
if [ "$KIND" = app ]; then
    sign_app "$TARGET"
else
    notarize_dmg "$TARGET"
fi
