"""Account pages: sign-up, log-in, password reset, the team, invites and the profile."""
# Stays whole past 400 lines: one blueprint whose sign-up, log-in, invite and reset pages all start or end the browser session through the helpers at its top.

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE

from interviews.accounts import api_tokens, password_resets, rules, service, sessions
from interviews.accounts import invites as member_invites
from interviews.errors import Conflict, DomainError, InvalidInput, Unauthorized
from interviews.extensions import limiter
from interviews.mail.models import MailStatus
from interviews.reports import digest
from interviews.scheduling import hours as member_hours
from interviews.web import apply_error, login_required, safe_next
from interviews.web.accounts.forms import (
    AcceptInviteForm,
    ChangePasswordForm,
    DigestForm,
    EmptyForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    RoleForm,
    RoomForm,
    SignUpForm,
    TokenForm,
)
from interviews.web.scheduling.forms import TimezoneForm

bp = Blueprint("accounts", __name__)

# Refusals shown next to the form; others (403, 404, 410) get their error page.
FORM_ERRORS = (InvalidInput, Conflict, Unauthorized)


@bp.app_template_global()
def own_timezone() -> str | None:
    """The signed-in member's saved zone (None when still unset), read only by the pages
    that show base.html's time-zone banner, so a page that shows no member asks nothing."""
    member = g.get("member")
    return member_hours.saved_timezone(member.user_id) if member else None


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


def _start_session(user_id: int, workspace_id: int | None = None) -> sessions.SignedIn:
    """Sign this browser in with a new session of its own, ending the one it had."""
    if current_user.is_authenticated:
        sessions.sign_out(current_user.session_id)
    signed_in = sessions.start_session(
        user_id, user_agent=request.user_agent.string, ip_address=request.remote_addr
    )
    login_user(signed_in)
    member = service.current_member(user_id, workspace_id)
    session["workspace_id"] = member.workspace_id if member else None
    return signed_in


def browser_user(secret: str) -> sessions.SignedIn | None:
    """Flask-Login's user loader: who this browser's session signs in, or None when the
    session was ended or has expired. Then the browser forgets it, and the page it lands
    on (the log-in form) says why, once."""
    try:
        return sessions.signed_in_user(secret)
    except sessions.SessionEnded as ended:
        session.clear()
        if current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE) in request.cookies:
            session["_remember"] = "clear"  # Flask-Login deletes the cookie and skips it
        flash(ended.message, "info")
        return None


def _end_browser_session() -> None:
    """Sign this browser out, and forget what its cookie held (one-time secrets too)."""
    if current_user.is_authenticated:
        sessions.sign_out(current_user.session_id)
    session.clear()
    logout_user()  # after the clear: it marks a remember-me cookie, if any, to be deleted


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def signup():
    """Create a workspace and its first owner."""
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = service.sign_up(
                workspace_name=form.workspace_name.data,
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
            )
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            _start_session(user.id)
            # The browser's zone (a hidden field timezone.js fills), so "your time" is theirs.
            member_hours.propose_timezone(user.id, request.form.get("timezone"))
            flash(
                f"Welcome, {user.name}. Your workspace is ready: invite your team next.", "success"
            )
            return redirect(url_for("accounts.team"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """The log-in form."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            # In the summary and at the email, with what was typed kept.
            form.email.errors = [*form.email.errors, error.message]
        else:
            signed_in = _start_session(user.id)
            # "Welcome back" only to someone who signed in before: an account made for
            # them (the demo's owner) meets the log-in form first.
            welcome = "Welcome" if signed_in.first_sign_in else "Welcome back"
            flash(f"{welcome}, {user.name}.", "success")
            return redirect(safe_next(form.next.data, url_for("accounts.home")))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End the session on the server (a POST, so a link in an email cannot log anyone out)."""
    form = EmptyForm()
    if form.validate_on_submit():
        _end_browser_session()
        flash("You are logged out.", "success")
    return redirect(url_for("accounts.login"))


@bp.get("/no-workspace")
def no_workspace():
    """Signed in but in no workspace (removed from the last one)."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if g.get("member") is not None:
        return redirect(url_for("accounts.home"))
    return render_template("accounts/no_workspace.html")


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Ask for a reset link by email."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_resets.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        flash(
            f"If {form.email.data} has an account, a reset link is on its way. It works for "
            f"{current_app.config['PASSWORD_RESET_TTL_MINUTES']} minutes.",
            "success",
        )
        return redirect(url_for("accounts.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    try:
        password_resets.check_reset_token(token)
    except DomainError as error:
        return render_template(
            "accounts/link_problem.html", message=error.message
        ), error.status_code
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = password_resets.reset_password(token, form.password.data)
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            _start_session(user.id)
            flash("Your password is changed, and other sessions are signed out.", "success")
            return redirect(url_for("accounts.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/reset_password.html", form=form), status


@bp.get("/team")
@login_required
def team():
    """Members and pending invites; owners manage them here."""
    members, invites = member_invites.team(g.member.workspace_id)
    return render_template(
        "accounts/team.html",
        members=members,
        invites=invites,
        invite_form=InviteForm(),
        action_form=EmptyForm(),
    )


@bp.post("/team/invites")
@login_required
def invite():
    """Email someone an invite to this workspace."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            sent = member_invites.invite_member(
                g.member, email=form.email.data, role=form.role.data
            )
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            days = current_app.config["INVITE_TTL_DAYS"]
            if sent.delivery.failed:
                flash(
                    f"The invite is saved, but the email to {sent.email} could not be sent "
                    f"({sent.delivery.error}). Send them the link below yourself.",
                    "error",
                )
            elif sent.delivery.status is MailStatus.QUEUED:
                flash(
                    f"Invite to {sent.email} is on its way. The link works for {days} days.",
                    "success",
                )
            else:
                flash(f"Invite sent to {sent.email}. The link works for {days} days.", "success")
            session["last_invite_link"] = sent.link
            return redirect(url_for("accounts.team"))
    elif not g.member.can_manage_members:
        abort(403, "Only an owner of this workspace can manage members.")
    members, invites = member_invites.team(g.member.workspace_id)
    return render_template(
        "accounts/team.html",
        members=members,
        invites=invites,
        invite_form=form,
        action_form=EmptyForm(),
    ), 422


@bp.post("/team/invites/<int:invite_id>/revoke")
@login_required
def revoke_invite(invite_id: int):
    """Withdraw an invite: its link stops working."""
    EmptyForm().validate_on_submit() or abort(400)
    member_invites.revoke_invite(g.member, invite_id)
    flash("Invite withdrawn.", "success")
    return redirect(url_for("accounts.team"))


@bp.get("/team/members/<int:membership_id>")
@login_required
def member(membership_id: int):
    """One member: role, and for owners, change it or remove them."""
    shown = service.get_member(g.member.workspace_id, membership_id)
    form = RoleForm(role=shown.role.value)
    return render_template(
        "accounts/member.html", shown=shown, role_form=form, action_form=EmptyForm()
    )


@bp.post("/team/members/<int:membership_id>/role")
@login_required
def change_role(membership_id: int):
    """Give a member another role. A refusal re-renders their page, where the role is
    chosen, with the chosen role kept: 409 for the last owner, 422 for a role that is none."""
    # Another workspace's member is a 404 before anything else is said about them.
    shown = service.get_member(g.member.workspace_id, membership_id)
    form = RoleForm()
    status = 422
    if form.validate_on_submit():
        try:
            service.change_role(g.member, membership_id, form.role.data)
        except service.LastOwner:
            # Only an owner changes roles, so the last owner is always the one asking.
            form.role.errors = [
                *form.role.errors,
                "You are the only owner, and a workspace needs one: make someone else "
                "an owner before changing your role.",
            ]
            status = 409
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            flash("Role changed.", "success")
            return redirect(url_for("accounts.member", membership_id=membership_id))
    elif not g.member.can_manage_members:
        abort(403, "Only an owner of this workspace can manage members.")
    return render_template(
        "accounts/member.html", shown=shown, role_form=form, action_form=EmptyForm()
    ), status


@bp.post("/team/members/<int:membership_id>/remove")
@login_required
def remove_member(membership_id: int):
    """Take someone out of the workspace (their API tokens stop working)."""
    EmptyForm().validate_on_submit() or abort(400)
    service.remove_member(g.member, membership_id)
    flash("Member removed.", "success")
    return redirect(url_for("accounts.team"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def accept_invite(token: str):
    """The page an invite email links to: join, creating an account if needed."""
    invite = member_invites.invite_for_token(token)
    if not invite.usable:
        return render_template("accounts/link_problem.html", message=invite.reason), 410
    signed_in = current_user.is_authenticated
    form = AcceptInviteForm() if not signed_in and not invite.account_exists else EmptyForm()
    if form.validate_on_submit():
        try:
            if signed_in:
                joined = member_invites.accept_invite(token, user_id=current_user.id)
            else:
                joined = member_invites.accept_invite(
                    token, name=form.name.data, password=form.password.data
                )
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            if not signed_in:
                _start_session(joined.user_id)
            # The browser's zone for someone who has none yet; a chosen one stays.
            member_hours.propose_timezone(joined.user_id, request.form.get("timezone"))
            session["workspace_id"] = joined.workspace_id
            # Someone who had an account was signed in already to accept.
            welcome = "Welcome back" if invite.account_exists else f"Welcome, {joined.name}"
            flash(
                f"{welcome}. You joined {joined.workspace_name} as {joined.role.value}.",
                "success",
            )
            return redirect(url_for("accounts.home"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "accounts/accept_invite.html", invite=invite, form=form, token=token
    ), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Your name, password and API tokens."""
    form = ProfileForm(prefix="profile", name=g.member.name if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            service.update_profile(g.member.user_id, name=form.name.data)
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            flash("Profile saved.", "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(profile_form=form, status=422 if request.method == "POST" else 200)


@bp.post("/profile/room")
@login_required
def profile_room():
    """Set (or clear) your own video room, the join link of studies using each host's."""
    form = RoomForm(prefix="room")
    if form.validate_on_submit():
        try:
            room = service.set_personal_room(g.member.user_id, form.personal_room_url.data or "")
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            saved = "Video room saved: studies that use each host's room send it for yours."
            flash(saved if room else "Video room removed.", "success")
            return redirect(url_for("accounts.profile") + "#room")
    return _render_profile(room_form=form, status=422)


@bp.post("/profile/timezone")
@login_required
def profile_timezone():
    """Set your own time zone (from the profile, or the banner offering the browser's)."""
    form = TimezoneForm(prefix="zone")
    if form.validate_on_submit():
        try:
            member_hours.set_timezone(g.member.user_id, form.timezone.data)
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            flash(
                f"Your time zone is {form.timezone.data.replace('_', ' ')}: "
                "times are shown in it, and your hours are kept in it.",
                "success",
            )
            return redirect(safe_next(form.next.data, url_for("accounts.profile")))
    return _render_profile(timezone_form=form, status=422)


def _render_profile(status: int = 200, **forms):
    forms.setdefault("profile_form", ProfileForm(prefix="profile", name=g.member.name))
    saved_zone = member_hours.saved_timezone(g.member.user_id)
    forms.setdefault("timezone_form", TimezoneForm(prefix="zone", timezone=saved_zone or "UTC"))
    forms.setdefault("password_form", ChangePasswordForm(prefix="password"))
    forms.setdefault("token_form", TokenForm(prefix="token"))
    forms.setdefault(
        "room_form",
        RoomForm(prefix="room", personal_room_url=service.personal_room(g.member.user_id)),
    )
    forms.setdefault("digest_form", DigestForm(prefix="digest"))
    new_token = session.pop("new_api_token", None)
    tokens = api_tokens.api_tokens(g.member.user_id, g.member.workspace_id)
    return render_template(
        "accounts/profile.html",
        tokens=tokens,
        sessions=sessions.live_sessions(g.member.user_id, current_user.session_id),
        idle_limit=rules.describe_hours(current_app.config["SESSION_IDLE_HOURS"]),
        lifetime_limit=rules.describe_hours(24 * current_app.config["SESSION_LIFETIME_DAYS"]),
        new_token=new_token,
        digest=digest.setting(g.member),
        saved_zone=saved_zone,
        action_form=EmptyForm(),
        **forms,
    ), status


@bp.post("/profile/password")
@login_required
def change_password():
    """Change your password; other sessions are signed out."""
    form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            service.change_password(
                g.member.user_id,
                current_session_id=current_user.session_id,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except FORM_ERRORS as error:
            apply_error(form, error)
        else:
            flash("Password changed. Other sessions are signed out.", "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(password_form=form, status=422)


@bp.post("/profile/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """End one of your sessions: that browser is signed out on its next request."""
    EmptyForm().validate_on_submit() or abort(400)
    sessions.end_session(g.member.user_id, session_id)
    if session_id == current_user.session_id:
        _end_browser_session()
        flash("You are logged out.", "success")
        return redirect(url_for("accounts.login"))
    flash("That session is ended: the browser is signed out.", "success")
    return redirect(url_for("accounts.profile") + "#sessions")


@bp.post("/profile/sessions/end-others")
@login_required
def end_other_sessions():
    """Sign out everywhere but this browser."""
    EmptyForm().validate_on_submit() or abort(400)
    ended = sessions.end_other_sessions(g.member.user_id, current_user.session_id)
    flash(
        "No other session was signed in."
        if not ended
        else f"Signed out everywhere else: {ended} other session{'s' if ended != 1 else ''} ended.",
        "success",
    )
    return redirect(url_for("accounts.profile") + "#sessions")


@bp.post("/profile/digest")
@login_required
def set_digest():
    """Turn the workspace's weekly digest on or off, for yourself."""
    form = DigestForm(prefix="digest")
    if not form.validate_on_submit():
        return _render_profile(digest_form=form, status=422)
    on = digest.set_weekly_digest(g.member, form.weekly_digest.data == "on")
    flash(
        f"You will get the weekly digest of {g.member.workspace_name}."
        if on
        else f"The weekly digest of {g.member.workspace_name} is off: no more of it.",
        "success",
    )
    return redirect(url_for("accounts.profile") + "#digest")


@bp.post("/profile/tokens")
@login_required
def create_token():
    """Make an API token; its secret is shown once."""
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return _render_profile(token_form=form, status=422)
    view, secret = api_tokens.create_api_token(
        g.member.user_id, g.member.workspace_id, form.name.data
    )
    session["new_api_token"] = {"name": view.name, "secret": secret}
    flash(f"Token “{view.name}” created. Copy it now: it is not shown again.", "success")
    return redirect(url_for("accounts.profile"))


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke an API token: it stops working at once."""
    EmptyForm().validate_on_submit() or abort(400)
    api_tokens.revoke_api_token(g.member.user_id, token_id)
    flash("Token revoked.", "success")
    return redirect(url_for("accounts.profile"))


@bp.post("/workspaces/<int:workspace_id>/switch")
@login_required
def switch_workspace(workspace_id: int):
    """Work in another of your workspaces."""
    EmptyForm().validate_on_submit() or abort(400)
    member = service.switch_workspace(g.member.user_id, workspace_id)
    session["workspace_id"] = member.workspace_id
    flash(f"Now working in {member.workspace_name}.", "success")
    return redirect(url_for("accounts.home"))
