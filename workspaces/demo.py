"""The demo's workspaces (called by community's `seed_demo` through
`WorkspacesConfig.seed_demo`): a joint venture in negotiation and a licence in
execution between the demo's organisations, with partners, people, a pending
invitation and a discussion. Everything goes through the services."""

import importlib
import importlib.util

from community.models import Thread, User
from community.services import threads as thread_services

from .models import Participant, Partner, Workspace
from .services import people, workspaces

Role = Participant.Role

JOINT_VENTURE = {
    "name": "Manutenzione predittiva con visione artificiale",
    "description": (
        "Joint venture tra Meccanica Brianza e VisioLab per un sistema di ispezione "
        "ottica dei mandrini, con il Politecnico come advisor scientifico."
    ),
    "collaboration_type": Workspace.CollaborationType.JOINT_VENTURE,
    "lead": "giulia",
    "stages": [Workspace.Stage.NDA, Workspace.Stage.NEGOTIATION],
    # (username, role, the organisation's role if it is a new partner)
    "people": [
        ("simone", Role.MEMBER, None),
        ("luca", Role.LEAD, Partner.Role.PARTNER),
        ("anna", Role.GUEST, None),
        ("marco", Role.MEMBER, Partner.Role.ADVISOR),
    ],
    # Waits for the consent of Orto Verticale's administrator (davide).
    "pending": ("tommaso", Role.GUEST, Partner.Role.ADVISOR),
    "kickoff": [
        (
            "luca",
            "Ciao a tutti! Abbiamo già un prototipo della telecamera per i mandrini.",
        ),
        (
            "giulia",
            "Ottimo. Proponiamo una prova in stabilimento a Monza entro fine mese.",
        ),
        ("marco", "Dal Politecnico possiamo validare il modello sui dati storici."),
    ],
    "threads": [
        (
            "simone",
            "Dati di vibrazione: formato e frequenza",
            "Esportiamo i dati dei sensori ogni 10 ms in CSV. Va bene per voi?",
            [("luca", "Sì, meglio se compressi. Li carichiamo nella nostra pipeline.")],
        ),
        (
            "giulia",
            "Term sheet: punti aperti",
            "Restano da chiudere: quote della JV, esclusiva per l'automotive, IP sui modelli.",
            [("luca", "Sull'IP proponiamo licenza incrociata non esclusiva.")],
        ),
    ],
    "room": [
        ("anna", "Ho caricato le slide della demo di ieri?"),
        ("luca", "Non ancora, le aggiungo io tra poco."),
    ],
}

LICENCE = {
    "name": "Licenza brevetto elettrolizzatore AEM",
    "description": (
        "Licenza del brevetto del Politecnico sugli elettrolizzatori a membrana "
        "anionica a Energia Alpina, in esecuzione: trasferimento e prime royalty."
    ),
    "collaboration_type": Workspace.CollaborationType.LICENSING,
    "lead": "irene",
    "stages": [
        Workspace.Stage.NDA,
        Workspace.Stage.NEGOTIATION,
        Workspace.Stage.AGREEMENT,
        Workspace.Stage.EXECUTION,
    ],
    "people": [
        ("marco", Role.MEMBER, None),
        ("paolo", Role.LEAD, Partner.Role.PARTNER),
        ("matteo", Role.MEMBER, None),
    ],
    "pending": None,
    "kickoff": [
        ("paolo", "Contratto firmato: partiamo con il trasferimento tecnologico."),
        (
            "irene",
            "Perfetto. Il primo report sulle royalty è previsto a fine trimestre.",
        ),
    ],
    "threads": [
        (
            "matteo",
            "Prove sulle membrane: risultati della prima campagna",
            "Efficienza al 72% a 1 A/cm². Serve un confronto con i vostri dati di laboratorio.",
            [("marco", "Vi mandiamo i nostri dati entro venerdì.")],
        ),
    ],
    "room": [
        ("paolo", "Riunione di avanzamento giovedì alle 10?"),
        ("irene", "Va bene."),
    ],
}


def _person(username):
    return User.objects.select_related("organisation").filter(username=username).first()


def _seed_workspace(plan, stdout):
    lead = _person(plan["lead"])
    workspace = workspaces.workspace_create(
        actor=lead,
        name=plan["name"],
        description=plan["description"],
        collaboration_type=plan["collaboration_type"],
    )
    for stage in plan["stages"]:
        workspaces.workspace_set_stage(actor=lead, workspace=workspace, stage=stage)
    for username, role, partner_role in plan["people"]:
        person = _person(username)
        invitation = people.invitation_create(
            actor=lead,
            workspace=workspace,
            who=username,
            role=role,
            partner_role=partner_role or Partner.Role.PARTNER,
        )
        if people.invitation_accept(actor=person, invitation=invitation) is None:
            # Not its admin: the organisation's administrator accepts for it.
            admin = person.organisation.affiliations.filter(role="admin").first().user
            people.invitation_consent(actor=admin, invitation=invitation)
    if plan["pending"]:
        username, role, partner_role = plan["pending"]
        invitation = people.invitation_create(
            actor=lead,
            workspace=workspace,
            who=username,
            role=role,
            partner_role=partner_role,
        )
        people.invitation_accept(actor=_person(username), invitation=invitation)
    community = workspace.community
    kickoff = Thread.objects.filter(
        community=community, kind=Thread.Kind.DISCUSSION
    ).first()
    for username, body in plan["kickoff"]:
        thread_services.post_reply(actor=_person(username), thread=kickoff, body=body)
    for author, title, body, replies in plan["threads"]:
        thread = thread_services.thread_create(
            actor=_person(author), community=community, title=title, body=body
        )
        for username, text in replies:
            thread_services.post_reply(
                actor=_person(username), thread=thread, body=text
            )
    room = Thread.objects.filter(community=community, kind=Thread.Kind.ROOM).first()
    for username, body in plan["room"]:
        thread_services.post_reply(actor=_person(username), thread=room, body=body)
    _seed_from_other_areas(workspace)
    stdout.write(f"Workspace: {workspace.name} ({workspace.get_stage_display()})")
    return workspace


def _seed_from_other_areas(workspace):
    """Documents and tasks, when those parts of the app are installed."""
    for module_name, function in (
        ("workspaces.demo_documents", "seed_documents"),
        ("workspaces.demo_tasks", "seed_tasks"),
    ):
        if importlib.util.find_spec(module_name) is not None:
            getattr(importlib.import_module(module_name), function)(workspace)


def seed(stdout):
    """Create the two demo workspaces (seed_demo runs it once, in its transaction)."""
    return [_seed_workspace(JOINT_VENTURE, stdout), _seed_workspace(LICENCE, stdout)]
