# A real Dovecot IMAP server for CLI tests, on a free loopback port with its
# own config under a directory of the test. Sourced (POSIX sh):
#
#   . "$ROOT/tests/lib/dovecot.sh"
#   dovecot_start "$T/dovecot" || fail "dovecot did not start"
#   ... Maildirs of user U go to $DOVECOT_DIR/mail/U (dovecot_own fixes owners)
#   dovecot_stop
#
# Users: alice (password alicepw) and the master user admin (masterpw), who
# may log in as anyone ("alice*admin"). Sets DOVECOT_DIR, DOVECOT_PORT,
# DOVECOT_PID. Dovecot refuses to serve mail as root: as root the mail
# belongs to nobody.

dovecot_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

dovecot_conf() { # $1 internal user, $2 login user, $3 mail uid, $4 mail gid
	cat <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_DIR/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$DOVECOT_DIR/mail/%u
first_valid_uid = 0
default_internal_user = $1
default_internal_group = $1
default_login_user = $2
auth_master_user_separator = *
passdb {
  driver = passwd-file
  master = yes
  args = scheme=PLAIN $DOVECOT_DIR/master-passwd
  pass = yes
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DOVECOT_DIR/passwd
}
userdb {
  driver = static
  args = uid=$3 gid=$4 home=$DOVECOT_DIR/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DOVECOT_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
namespace inbox {
  inbox = yes
  separator = /
}
EOF
}

dovecot_own() { # gives the mail tree to the user Dovecot serves it as
	[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$DOVECOT_DIR/mail"
	return 0
}

dovecot_start() { # $1 = directory for config, state and mail
	DOVECOT_DIR=$1
	mkdir -p "$DOVECOT_DIR/mail" "$DOVECOT_DIR/home"
	chmod 755 "$DOVECOT_DIR" "$(dirname "$DOVECOT_DIR")"
	DOVECOT_PORT=$(dovecot_free_port)
	echo "alice:{PLAIN}alicepw" >"$DOVECOT_DIR/passwd"
	echo "admin:{PLAIN}masterpw" >"$DOVECOT_DIR/master-passwd"
	chmod 644 "$DOVECOT_DIR/passwd" "$DOVECOT_DIR/master-passwd"
	if [ "$(id -u)" = 0 ]; then
		chown nobody:nogroup "$DOVECOT_DIR/mail" "$DOVECOT_DIR/home"
		dovecot_conf dovecot dovenull nobody nogroup >"$DOVECOT_DIR/dovecot.conf"
	else
		dovecot_conf "$(id -un)" "$(id -un)" "$(id -u)" "$(id -g)" >"$DOVECOT_DIR/dovecot.conf"
	fi
	dovecot -F -c "$DOVECOT_DIR/dovecot.conf" >"$DOVECOT_DIR/stdout" 2>&1 &
	DOVECOT_PID=$!
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $DOVECOT_PORT), 1)" \
			2>/dev/null && return 0
		sleep 0.2
	done
	cat "$DOVECOT_DIR/stdout" "$DOVECOT_DIR/dovecot.log" 2>/dev/null | tail -5
	return 1
}

dovecot_stop() {
	[ -n "${DOVECOT_PID:-}" ] || return 0
	kill "$DOVECOT_PID" 2>/dev/null
	wait "$DOVECOT_PID" 2>/dev/null
	DOVECOT_PID=
	return 0
}
