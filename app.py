"""The Chalice application: wiring only; everything else lives in chalicelib."""

from chalice import Chalice

from chalicelib.wiring import wire

app = Chalice(app_name="loc8-integrations")
wire(app)
