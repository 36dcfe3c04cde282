"""The web app: an upload page that shows each candidate font written in itself, the
evidence per character, and free look-alikes; a JSON API; the catalog's specimens.

``python cli.py serve`` runs it (webapp.server); ``webapp.app:create_app`` builds the ASGI
app for tests or another ASGI server. It calls ``pipeline`` as the CLI does; nothing in
``pipeline`` imports it. Nothing heavy is imported here.
"""
