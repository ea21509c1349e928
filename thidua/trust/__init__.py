"""What lets a council trust a result later: the run manifest and its verification."""
