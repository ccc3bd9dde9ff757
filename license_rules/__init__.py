"""GitHub's license rules as pure code, shared by the mock GHEC and `license-sync predict`.

`matching`: how GHEC matches a GHES account to a GitHub.com person (DOMAIN.md §4). Nothing here
touches a database, Flask or the network, so the mock and the client run the same rules.
"""
