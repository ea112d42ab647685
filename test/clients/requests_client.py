"""Python requests as an integration uses it, with only HTTPS_PROXY and REQUESTS_CA_BUNDLE set:
a token from login.microsoftonline.com, then setDeviceValue on api.securitycenter.microsoft.com.
Any name resolution other than the loopback address is refused, so nothing can leave the machine.
Prints {"status", "body", "accessToken"} as JSON."""
import json
import os
import socket

import requests

_getaddrinfo = socket.getaddrinfo


def _loopback_only(host, *args, **kwargs):
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise OSError("loopback-only guard: refused a lookup of %s" % host)
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_only

env = os.environ
token = requests.post(
    "https://login.microsoftonline.com/%s/oauth2/v2.0/token" % env["TENANT"],
    data={"grant_type": "client_credentials", "client_id": env["CLIENT_ID"], "client_secret": env["CLIENT_SECRET"],
          "scope": "https://api.securitycenter.microsoft.com/.default"},
    timeout=10,
).json()["access_token"]
reply = requests.post(
    "https://api.securitycenter.microsoft.com/api/machines/%s/setDeviceValue" % env["MACHINE"],
    json={"DeviceValue": "High"},
    headers={"Authorization": "Bearer " + token},
    timeout=10,
)
print(json.dumps({"status": reply.status_code, "body": reply.json(), "accessToken": token}))
