"""The inquiry pages (inquiries.py) and the know-how board (board.py)."""
