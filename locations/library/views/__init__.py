"""The library's pages: public search, map, location and photos (public.py); the FC workspace (workspace.py) and
location contacts (contacts.py)."""
