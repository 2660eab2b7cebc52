"""SpotiChat: a chat room for every Spotify track, live by long-polling."""
