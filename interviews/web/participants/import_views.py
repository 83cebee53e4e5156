"""The pages for importing participants from a CSV file: upload, map, progress, result."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from interviews.errors import Conflict, InvalidInput
from interviews.participants import csv_rows, imports
from interviews.web import Refused, apply_error, editor_required
from interviews.web.accounts.forms import EmptyForm

bp = Blueprint("participant_imports", __name__, url_prefix="/participants/import")

# Room for the form's other fields and the multipart framing around the file.
_REQUEST_LIMIT = csv_rows.MAX_BYTES + 64 * 1024
_TOO_LARGE = f"The file is larger than {csv_rows.MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
_COLUMN_FIELD = re.compile(r"column-(\d{1,4})", re.ASCII)


class UploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        [FileRequired("Choose a CSV file to upload.")],
        description=(
            "A header row naming the columns, then one person a row; an email address is "
            f"required. Comma or semicolon separated, up to {csv_rows.MAX_ROWS:,} rows."
        ),
    )


def _index(form: UploadForm, status: int = 200):
    return render_template(
        "participants/import.html",
        form=form,
        imports=imports.recent_imports(g.member.workspace_id),
    ), status


@bp.get("")
@editor_required
def index():
    """Upload a CSV file of participants; the recent imports below it."""
    return _index(UploadForm())


@bp.post("")
@editor_required
def upload():
    """Keep the uploaded file and go on to map its columns."""
    if (request.content_length or 0) > _REQUEST_LIMIT:
        form = UploadForm(formdata=None)
        form.file.errors = [_TOO_LARGE]
        return _index(form, 413)
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    upload = form.file.data
    try:
        import_id = imports.upload_import(
            g.member, upload.filename or "", upload.stream.read(csv_rows.MAX_BYTES + 1)
        )
    except InvalidInput as error:
        apply_error(form, error)
        return _index(form, 422)
    return redirect(url_for(".show", import_id=import_id))


def _page(
    import_id: int,
    chosen: dict[int, str] | None = None,
    refused: Refused | None = None,
    status: int = 200,
):
    """The import as far as it is; ``chosen`` is a refused mapping as posted (column
    position -> field), ``refused`` its problems, or a refused discard."""
    page = imports.import_page(g.member.workspace_id, import_id)
    view = page.view
    if page.mapping is not None:
        template = "participants/import_mapping.html"
    elif view.finished:
        template = "participants/import_result.html"
    else:
        template = "participants/import_progress.html"
    return render_template(
        template,
        page=page,
        view=view,
        step=page.mapping,
        chosen=chosen,
        refused=refused,
        choices=csv_rows.CHOICES,
        form=EmptyForm(),
    ), status


@bp.get("/<int:import_id>")
@editor_required
def show(import_id: int):
    """Map the columns, follow the progress, or read the result, as far as the import is."""
    return _page(import_id)


@bp.post("/<int:import_id>")
@editor_required
def start(import_id: int):
    """Start importing with the chosen mapping; it runs in the background."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and start the import again.")
    chosen = {}
    for key, value in request.form.items():
        match = _COLUMN_FIELD.fullmatch(key)
        if match:
            chosen[int(match.group(1))] = value
    try:
        imports.start_import(g.member, import_id, chosen)
    except InvalidInput as error:
        # The same upload, every column as chosen, each problem at its column's select.
        ids = {p.field: p.field for p in error.problems if p.field}
        refused = Refused.of(error, ids, "mapping", imports.column_field(0))
        return _page(import_id, chosen=chosen, refused=refused, status=422)
    except Conflict as error:
        # Started already (a second click, another tab): what they asked for is under
        # way, and the page they land on shows its progress.
        flash(error.message, "info")
    return redirect(url_for(".show", import_id=import_id))


@bp.post("/<int:import_id>/discard")
@editor_required
def discard(import_id: int):
    """Delete an upload that was not started, with its copy of the file."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired: reload the page and try again.")
    try:
        imports.discard_import(g.member, import_id)
    except Conflict as error:
        # Started meanwhile: the page shows how far it is, and why nothing was discarded.
        refused = Refused.of(error, {}, "discard")
        return _page(import_id, refused=refused, status=error.status_code)
    flash("The upload was discarded and its file deleted.", "success")
    return redirect(url_for(".index"))


@bp.get("/<int:import_id>/progress")
@editor_required
def progress(import_id: int):
    """How far the import is, for the progress page's script."""
    view = imports.get_import(g.member.workspace_id, import_id)
    response = jsonify(
        status=view.status.value,
        processed_rows=view.processed_rows,
        total_rows=view.total_rows,
        created=view.created,
        merged=view.merged,
        errors=view.skipped,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:import_id>/errors.csv")
@editor_required
def errors_csv(import_id: int):
    """The skipped rows and why, to fix in the spreadsheet and import again."""
    text = imports.error_report(g.member.workspace_id, import_id)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'},
    )
