"""A small page the OAuth callback returns the browser to, showing the result."""

from __future__ import annotations

from flask import Flask, render_template_string, request

RESULT_MESSAGES = {
    "connected": "Connected. The integration is authorised and ready to configure.",
    "choose_organisation": "Access was granted to several organisations: choose one to finish.",
    "denied": "Access was not granted. You can try connecting again.",
    "error": "Connecting did not finish.",
}

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loc8 · Settings &rsaquo; Integrations</title></head>
<body>
<main>
  <h1>Settings &rsaquo; Integrations</h1>
  {% if result %}
  <p role="status" data-result="{{ result }}">{{ summary }}</p>
  {% if message %}<p data-message>{{ message }}</p>{% endif %}
  <p>Integration: <code data-integration-id>{{ integration_id }}</code></p>
  {% else %}
  <p>No connection attempt to show.</p>
  {% endif %}
</main>
</body>
</html>"""


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/integrations/return")
    def oauth_return() -> str:
        result = request.args.get("result", "")
        return render_template_string(
            PAGE,
            result=result,
            summary=RESULT_MESSAGES.get(result, "Unknown result."),
            message=request.args.get("message", ""),
            integration_id=request.args.get("integration_id", ""),
        )

    return app
