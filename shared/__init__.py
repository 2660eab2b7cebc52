"""What every site of the suite uses: data, account pages, sessions, base handlers."""
