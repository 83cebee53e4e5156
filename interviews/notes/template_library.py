"""The template library: built-in and custom note templates, edited in versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.db import MAX_ID, db
from interviews.errors import Forbidden, InvalidInput, NotFound, refuse_all
from interviews.notes import sections as rules
from interviews.notes.models import InterviewTemplate, TemplateKind, TemplateVersion
from interviews.studies import service as studies


@dataclass(frozen=True)
class Prompt:
    text: str
    hint: str | None  # the yes/no-question suggestion, when it applies


@dataclass(frozen=True)
class TemplateSection:
    heading: str
    guidance: str
    prompts: tuple[Prompt, ...]


@dataclass(frozen=True)
class TemplateView:
    id: int
    name: str
    kind: TemplateKind
    description: str
    archived: bool
    version_id: int
    version: int
    sections: tuple[TemplateSection, ...]
    updated_at: datetime

    @property
    def hints(self) -> int:
        return sum(1 for s in self.sections for p in s.prompts if p.hint)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind.value,
            "description": self.description,
            "archived": self.archived,
            "version": self.version,
            "sections": [
                {
                    "heading": s.heading,
                    "guidance": s.guidance,
                    "prompts": [p.text for p in s.prompts],
                }
                for s in self.sections
            ],
        }


def section_views(raw: list[dict]) -> tuple[TemplateSection, ...]:
    return tuple(
        TemplateSection(
            heading=item["heading"],
            guidance=item.get("guidance", ""),
            prompts=tuple(
                Prompt(text, rules.closed_question_hint(text)) for text in item.get("prompts", [])
            ),
        )
        for item in raw
    )


def _latest(template: InterviewTemplate) -> TemplateVersion:
    return template.versions[-1]


def template_view(template: InterviewTemplate) -> TemplateView:
    version = _latest(template)
    return TemplateView(
        id=template.id,
        name=template.name,
        kind=template.kind,
        description=template.description,
        archived=template.archived_at is not None,
        version_id=version.id,
        version=version.number,
        sections=section_views(version.sections),
        updated_at=template.updated_at,
    )


def _add_template(
    workspace_id: int,
    name: str,
    kind: TemplateKind,
    description: str,
    sections: list[dict],
    user_id: int | None,
    now: datetime,
) -> InterviewTemplate:
    template = InterviewTemplate(
        workspace_id=workspace_id,
        name=name,
        kind=kind,
        description=description,
        created_at=now,
        updated_at=now,
    )
    template.versions.append(
        TemplateVersion(number=1, sections=sections, created_by=user_id, created_at=now)
    )
    db.session.add(template)
    return template


def _ensure_built_ins(workspace_id: int) -> None:
    """Every workspace starts with the two built-in templates (made on first use)."""
    kinds = set(
        db.session.scalars(
            select(InterviewTemplate.kind).where(InterviewTemplate.workspace_id == workspace_id)
        )
    )
    missing = [kind for kind in ("discovery", "jtbd") if TemplateKind(kind) not in kinds]
    if not missing:
        return
    now = utc_now()
    for kind in missing:
        name, description = rules.BUILT_IN[kind]
        sections = [s.as_dict() for s in rules.BUILT_IN_SECTIONS[kind]]
        _add_template(workspace_id, name, TemplateKind(kind), description, sections, None, now)
    db.session.commit()


def list_templates(workspace_id: int, *, archived: bool = False) -> list[TemplateView]:
    """The workspace's templates by name (archived ones only when asked)."""
    _ensure_built_ins(workspace_id)
    query = (
        select(InterviewTemplate)
        .where(InterviewTemplate.workspace_id == workspace_id)
        .order_by(InterviewTemplate.name, InterviewTemplate.id)
    )
    if not archived:
        query = query.where(InterviewTemplate.archived_at.is_(None))
    return [template_view(t) for t in db.session.scalars(query)]


def _template_in(workspace_id: int, template_id: int) -> InterviewTemplate:
    template = db.session.get(InterviewTemplate, template_id) if 0 < template_id <= MAX_ID else None
    if template is None or template.workspace_id != workspace_id:
        raise NotFound("No such template in this workspace.")
    return template


def get_template(workspace_id: int, template_id: int) -> TemplateView:
    """Raises NotFound for another workspace's id."""
    return template_view(_template_in(workspace_id, template_id))


def editor_required(actor: accounts.Member) -> None:
    if not actor.can_edit:
        raise Forbidden("Viewers can read notes but not change them.")


def _checked(name: str, sections: list[dict]) -> tuple[str, list[dict]]:
    """The name and sections as stored. Raises InvalidInput with every problem at once:
    field ``name``, ``sections.<row number>`` for one section, ``sections`` for all."""
    problems: list[InvalidInput] = []
    name = " ".join(name.split())
    if not name:
        problems.append(InvalidInput("Give the template a name.", field="name"))
    elif len(name) > 120:
        problems.append(InvalidInput("Keep the name under 120 characters.", field="name"))
    cleaned: list[dict] = []
    try:
        cleaned = rules.clean_sections(sections)
    except rules.TemplateProblem as found:
        problems += [
            InvalidInput(message, field="sections" if row is None else f"sections.{row}")
            for row, message in found.problems
        ]
    refuse_all(problems)
    return name, cleaned


def create_template(
    actor: accounts.Member, *, name: str, description: str, sections: list[dict]
) -> TemplateView:
    """A new template of the workspace. Raises Forbidden, InvalidInput."""
    editor_required(actor)
    name, cleaned = _checked(name, sections)
    template = _add_template(
        actor.workspace_id,
        name,
        TemplateKind.CUSTOM,
        description.strip(),
        cleaned,
        actor.user_id,
        utc_now(),
    )
    db.session.commit()
    return template_view(template)


def update_template(
    actor: accounts.Member, template_id: int, *, name: str, description: str, sections: list[dict]
) -> TemplateView:
    """Edit a template. Changed sections become a new version: notes already taken keep
    the version they were taken on. Raises Forbidden, NotFound, InvalidInput."""
    editor_required(actor)
    template = _template_in(actor.workspace_id, template_id)
    name, cleaned = _checked(name, sections)
    now = utc_now()
    template.name, template.description, template.updated_at = name, description.strip(), now
    latest = _latest(template)
    if cleaned != latest.sections:
        template.versions.append(
            TemplateVersion(
                number=latest.number + 1,
                sections=cleaned,
                created_by=actor.user_id,
                created_at=now,
            )
        )
    db.session.commit()
    return template_view(template)


def copy_template(actor: accounts.Member, template_id: int) -> TemplateView:
    """A custom copy to change freely. Raises Forbidden, NotFound."""
    editor_required(actor)
    source = _template_in(actor.workspace_id, template_id)
    template = _add_template(
        actor.workspace_id,
        f"Copy of {source.name}"[:120],
        TemplateKind.CUSTOM,
        source.description,
        list(_latest(source).sections),
        actor.user_id,
        utc_now(),
    )
    db.session.commit()
    return template_view(template)


def set_archived(actor: accounts.Member, template_id: int, archived: bool) -> TemplateView:
    """Archive (hidden from choices; notes on it stay) or restore. Raises Forbidden,
    NotFound."""
    editor_required(actor)
    template = _template_in(actor.workspace_id, template_id)
    now = utc_now()
    template.archived_at = now if archived else None
    template.updated_at = now
    db.session.commit()
    return template_view(template)


def choose_for_study(actor: accounts.Member, study_id: int, template_id: int) -> None:
    """The template a study's interviews are taken on. Raises Forbidden, NotFound,
    InvalidInput (an archived template)."""
    template = _template_in(actor.workspace_id, template_id)
    if template.archived_at is not None:
        raise InvalidInput("That template is archived: restore it first.", field="template_id")
    studies.set_template(actor, study_id, template.id)


def template_for_study(study: studies.StudyView) -> TemplateView:
    """The template the study's new notes use: its own, else the workspace's Discovery."""
    if study.template_id is not None:
        template = db.session.get(InterviewTemplate, study.template_id)
        if template is not None and template.workspace_id == study.workspace_id:
            return template_view(template)
    _ensure_built_ins(study.workspace_id)
    template = db.session.scalar(
        select(InterviewTemplate)
        .where(
            InterviewTemplate.workspace_id == study.workspace_id,
            InterviewTemplate.kind == TemplateKind.DISCOVERY,
        )
        .order_by(InterviewTemplate.id)
        .limit(1)
    )
    return template_view(template)
