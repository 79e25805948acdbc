#!/usr/bin/env bash
# Shell helpers the benchmark scripts share (source it; $base is the
# server's address, http://127.0.0.1:PORT).

# form_csrf JAR PATH: the CSRF token of the form at PATH, with the
# cookies of JAR (kept up to date, for the sign-in form's own cookie).
form_csrf() {
	curl -s -c "$1" -b "$1" "$base$2" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1
}

# signin USER JAR: signs the demo USER in with curl, keeps the cookies in
# JAR and prints the session token; fails when the sign-in does.
signin() {
	local csrf session
	csrf=$(form_csrf "$2" /signin)
	curl -s -o /dev/null -c "$2" -b "$2" --data "csrf=$csrf&username=$1&password=demo-password-2026" "$base/signin"
	session=$(awk '$6 == "session" { print $7 }' "$2")
	[ -n "$session" ] || { echo "bench: the sign-in of $1 failed" >&2; return 1; }
	echo "$session"
}
