"""A small OpenID Connect identity provider for the SSO browser tests (django-oauth-toolkit).

It stands in for the university's identity provider: a login form, an RS256-signed ID token and a
userinfo endpoint with the person's name and email. `serve.py` runs it in its own process.
"""
