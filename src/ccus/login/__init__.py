"""Login with a national-ID OpenID Provider, and the browser sessions it opens.

The service is a relying party of an OpenID Provider that reads a My Number
card, like the businesses' interface of Japan's デジタル認証アプリ. A login
runs the authorization code flow with PKCE and verifies the ID token. The
verified name and birth date then link it to a worker through the blind
index and to staff rows through their login index, and a server-side browser
session opens.
"""
