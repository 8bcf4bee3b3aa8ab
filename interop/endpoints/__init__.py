"""The JSON API's routers, one module per kind of record; interop/api.py mounts them."""
