"""Pure school rules: no Telegram, no database, plain values in and out."""
