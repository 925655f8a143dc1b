"""What the outside world asks of identity: sign up, sign in (password, one-time
code, anonymous), resolve and end sessions, read and delete accounts, purge expired
rows, erase an owner's."""
