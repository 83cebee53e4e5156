"""The `interviews` command: the app's Flask CLI, also reachable as `flask --app interviews`."""

from flask.cli import FlaskGroup

from interviews.app import create_app

main = FlaskGroup(
    name="interviews",
    create_app=create_app,
    help="Interview Desk. Start with `interviews db upgrade`, `interviews demo`, `interviews run`.",
)
