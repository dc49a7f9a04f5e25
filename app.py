"""The Chalice application: wiring only; everything else lives in chalicelib."""

from chalice import Chalice

from chalicelib.api.wiring import wire

app = Chalice(app_name="loc8-integrations")
wire(app)
