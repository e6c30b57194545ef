"""The innovation part of the demo network (called by community's `seed_demo` through
`InnovationConfig.seed_demo`, after the workspaces' demo): Lombard challenges from
firms, technology offers from universities and research centres, clarification
questions, proposals and expressions of interest at every status with their status
changes, NDA acceptances and three funding calls. It is also the basis of the
labelled set that measures match suggestions (tests/innovation/matching/).

Rows are created directly with the ORM, dated in the past as a lived-in network would
be (the services stamp "now" and notify people, which a demo history must not). Every
invariant the models state is kept: one proposal per solver
and challenge, one expression of interest per organisation and offer, a status change
of exactly one step, accepted steps tied to a workspace, NDA acceptances carrying the
accepted text, published items with `published_at` (and offers with `expires_at`),
funding calls with eligible kinds. Idempotent: nothing is added twice."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from community.models import Affiliation, Community, Organisation, User
from workspaces.models import Participant, Workspace
from workspaces.services import people as participant_services
from workspaces.services import workspaces as workspace_services

from .models import (
    Challenge,
    ChallengeQuestion,
    EvaluationCriterion,
    ExpressionOfInterest,
    Facilitator,
    FundingCall,
    NdaAcceptance,
    Outcome,
    Proposal,
    StatusChange,
    TechnologyOffer,
)
from .services import desk as desk_services
from .services import disclosure as disclosure_services
from .services import outcomes as outcome_services
from .services import proposals as proposal_services

S = Challenge.Status
OS = TechnologyOffer.Status
IP = TechnologyOffer.IpStatus

# Organisation names of the community demo (community/management/commands/demo_content.py).
MECCANICA = "Meccanica Brianza S.p.A."
TESSITURE = "Tessiture Lariane S.r.l."
POLITECNICO = "Politecnico Lombardo"
PAVIA = "Università degli Studi di Pavia Nord"
IREL = "Istituto Ricerche Energetiche Lombardo"
CMAB = "Centro Materiali Avanzati Bergamo"
VISIOLAB = "VisioLab S.r.l."
ORTO = "Orto Verticale Srl SB"
BIONOVA = "BioNova Therapeutics"
CASEIFICIO = "Caseificio Valle Brembana Coop."

# Tags the organisations gain for matching (competences, interests), when missing.
EXTRA_TAGS = {
    MECCANICA: (["sensori"], ["machine learning", "robotica"]),
    TESSITURE: ([], ["efficienza idrica", "polimeri"]),
    POLITECNICO: (["machine learning", "digital twin", "visione artificiale"], []),
    PAVIA: (["siero di latte", "biomarcatori"], ["valorizzazione scarti"]),
    IREL: (["efficienza energetica", "biogas"], ["energia rinnovabile"]),
    CMAB: (["riciclo fibre"], ["economia circolare"]),
    VISIOLAB: ([], ["sensori"]),
    ORTO: ([], ["agritech", "accumulo"]),
    BIONOVA: ([], ["genomica", "medicina di precisione"]),
    CASEIFICIO: ([], ["siero di latte", "economia circolare"]),
}

NDA = (
    "Le informazioni riservate ricevute restano confidenziali per cinque anni, sono "
    "usate solo per valutare la collaborazione e non sono comunicate a terzi."
)

# title, seeker, creator, status, anonymous, type, sectors, tags, summary, details,
# collaboration types, award, days to the deadline (negative: past)
CHALLENGES = [
    (
        "Manutenzione predittiva dei mandrini con sensori di vibrazione",
        MECCANICA, "giulia", S.OPEN, False, Challenge.Type.TECHNICAL_SOLUTION,
        ["manufacturing"],
        ["manutenzione predittiva", "sensori", "machine learning", "digital twin"],
        "Cerchiamo un modello che preveda i guasti dei mandrini dei nostri centri di "
        "lavoro a cinque assi a partire dai dati di vibrazione e temperatura.",
        "Abbiamo tre anni di storico a 10 ms su 40 macchine; cerchiamo un anticipo di "
        "almeno 72 ore sul guasto con meno del 5% di falsi allarmi.",
        ["rd_contract", "joint_development"], "Contratto di ricerca fino a 80.000 €", 45,
    ),
    (
        "Ispezione ottica automatica delle superfici lavorate",
        MECCANICA, "simone", S.OPEN, True, Challenge.Type.REDUCTION_TO_PRACTICE,
        ["manufacturing", "ict"],
        ["visione artificiale", "controllo qualità", "deep learning"],
        "Un sistema di visione che trovi graffi e bave sui pezzi in alluminio in "
        "uscita dalla macchina, in linea, senza rallentare il ciclo.",
        "Tempo ciclo 40 s, pezzi fino a 600 mm, difetti da 0,2 mm.",
        ["supply", "joint_development"], "Fornitura pluriennale", 30,
    ),
    (
        "Recupero delle fibre di scarto della seta",
        TESSITURE, "chiara", S.OPEN, False, Challenge.Type.TECHNICAL_SOLUTION,
        ["fashion_design", "materials"],
        ["riciclo fibre", "economia circolare", "polimeri"],
        "Ogni anno scartiamo 40 tonnellate di cascami di seta e misti: cerchiamo un "
        "processo per rigenerarli in filati o in nuovi materiali.",
        "I cascami sono per il 70% seta e per il resto poliestere e poliammide, in "
        "balle da 200 kg; il filato rigenerato deve reggere la torcitura a 800 giri/m.",
        ["licence", "rd_contract"], "", 60,
    ),
    (
        "Tintura dei tessuti tecnici a basso consumo d'acqua",
        TESSITURE, "laura", S.EVALUATING, True, Challenge.Type.TECHNICAL_SOLUTION,
        ["fashion_design"],
        ["tintura", "efficienza idrica", "economia circolare"],
        "Vogliamo dimezzare l'acqua usata nella tintura dei tessuti tecnici senza "
        "perdere solidità del colore.",
        "Oggi usiamo 80 litri d'acqua per chilo di tessuto in jet a 130 °C; la "
        "solidità al lavaggio deve restare almeno di grado 4 su poliammide 6.6.",
        ["joint_development"], "Premio di 20.000 € e contratto di sviluppo", -5,
    ),
    (
        "Valorizzare il siero di latte della produzione casearia",
        CASEIFICIO, "stefano", S.OPEN, False, Challenge.Type.IDEATION,
        ["agrifood"],
        ["siero di latte", "valorizzazione scarti", "biotecnologie", "economia circolare"],
        "Produciamo 2 milioni di litri di siero all'anno: cerchiamo idee e tecnologie "
        "per trasformarlo in prodotti di valore invece di smaltirlo.",
        "", ["licence", "joint_development"], "", 50,
    ),
    (
        "Ridurre i consumi energetici delle celle di stagionatura",
        CASEIFICIO, "giorgio", S.OPEN, True, Challenge.Type.TECHNICAL_SOLUTION,
        ["agrifood", "energy"],
        ["efficienza energetica", "biogas", "energia rinnovabile"],
        "Le celle di stagionatura assorbono metà dell'energia del caseificio: "
        "cerchiamo soluzioni di recupero del calore, autoproduzione e controllo.",
        "", ["supply", "rd_contract"], "", 40,
    ),
    (
        "Refrigerazione solare per container idroponici",
        ORTO, "davide", S.OPEN, False, Challenge.Type.TECHNICAL_SOLUTION,
        ["agrifood", "energy"],
        ["energia rinnovabile", "logistica del freddo", "accumulo"],
        "I nostri container idroponici devono restare freschi d'estate: cerchiamo "
        "refrigerazione alimentata dal fotovoltaico con accumulo termico.",
        "", ["joint_development"], "", 35,
    ),
    (
        "Patient cohorts for validating neurodegeneration biomarkers",
        BIONOVA, "francesca", S.OPEN, False, Challenge.Type.TECHNICAL_SOLUTION,
        ["life_sciences"],
        ["biomarcatori", "trial clinici", "genomica", "medicina di precisione"],
        "We look for clinical partners with well-characterised cohorts to validate "
        "our blood biomarkers for early Alzheimer's and Parkinson's diagnosis.",
        "", ["rd_contract"], "", 90,
    ),
    (
        "Low-power edge hardware for in-line camera inspection",
        VISIOLAB, "luca", S.OPEN, False, Challenge.Type.TECHNICAL_SOLUTION,
        ["ict", "manufacturing"],
        ["edge computing", "sensori", "deep learning"],
        "We need a fanless edge board that runs our inspection networks at 30 fps "
        "under 15 W, for cabinets on the factory floor.",
        "", ["supply", "joint_development"], "", 25,
    ),
    (
        "Gemello digitale della linea di assemblaggio",
        MECCANICA, "giulia", S.DRAFT, False, Challenge.Type.TECHNICAL_SOLUTION,
        ["manufacturing"], ["digital twin", "automazione"],
        "Bozza: un gemello digitale della linea di assemblaggio dei centri di lavoro.",
        "", ["rd_contract"], "", 70,
    ),
    (
        "Tracciabilità della filiera serica",
        TESSITURE, "chiara", S.IN_VALIDATION, False, Challenge.Type.TECHNICAL_SOLUTION,
        ["fashion_design", "ict"], ["tracciabilità", "economia circolare"],
        "Vogliamo tracciare la seta dal bozzolo al tessuto finito per i clienti del lusso.",
        "", ["supply"], "", 80,
    ),
    (
        "Analisi automatica della crosta dei formaggi stagionati",
        CASEIFICIO, "stefano", S.CLOSED, False, Challenge.Type.IDEATION,
        ["agrifood"], ["visione artificiale", "formaggi dop"],
        "Riconoscere muffe e difetti della crosta durante la stagionatura.",
        "", ["rd_contract"], "", -40,
    ),
    (
        "Mandrini alleggeriti in composito",
        MECCANICA, "giulia", S.AWARDED, False, Challenge.Type.REDUCTION_TO_PRACTICE,
        ["manufacturing", "materials"], ["compositi", "additive manufacturing"],
        "Ridurre del 30% la massa dei mandrini con parti in composito o stampate in 3D.",
        "", ["joint_development"], "Premio di 30.000 €", -90,
    ),
]

# title, owner, creator, status, trl, ip, patent, sectors, tags, summary, terms,
# collaboration types, days to expiry (negative: expired)
OFFERS = [
    (
        "Modelli ibridi per la manutenzione predittiva delle macchine utensili",
        POLITECNICO, "marco", OS.PUBLISHED, 6, IP.PENDING_APPLICATION, "EP 4 210 337 A1",
        ["manufacturing"],
        ["manutenzione predittiva", "machine learning", "digital twin"],
        "Un metodo che unisce modelli fisici e reti neurali per stimare la vita "
        "residua di cuscinetti e mandrini dai segnali di vibrazione.",
        "Licenza non esclusiva per settore; royalty del 3% sul venduto.",
        ["licence", "rd_contract"], 300,
    ),
    (
        "Cella robotizzata collaborativa per l'asservimento macchine",
        POLITECNICO, "irene", OS.PUBLISHED, 7, IP.GRANTED_PATENT, "IT 102021000012345",
        ["manufacturing"], ["robotica", "automazione", "industria 4.0"],
        "Un robot collaborativo con pinza adattiva che carica e scarica i centri di "
        "lavoro senza barriere, programmato per dimostrazione.",
        "Licenza esclusiva per l'Italia, anticipo e royalty.",
        ["licence"], 200,
    ),
    (
        "Deep-learning inspection of machined surfaces",
        POLITECNICO, "alessandro", OS.PUBLISHED, 5, IP.SOFTWARE, "",
        ["manufacturing", "ict"],
        ["visione artificiale", "deep learning", "controllo qualità"],
        "Software that finds scratches and burrs on machined metal parts from few "
        "labelled images, running on an edge device.",
        "Licenza software annuale; codice sorgente in deposito fiduciario.",
        ["licence", "joint_development"], 250,
    ),
    (
        "Elettrolizzatore a membrana anionica (AEM) compatto",
        POLITECNICO, "irene", OS.PUBLISHED, 6, IP.GRANTED_PATENT, "EP 3 998 120 B1",
        ["energy"], ["idrogeno", "elettrolizzatori", "accumulo"],
        "Un elettrolizzatore AEM senza metalli nobili, da 5 kW, per produrre idrogeno "
        "verde da fotovoltaico in piccoli impianti.",
        "Licenza esclusiva per campo d'uso; royalty a scaglioni.",
        ["licence", "joint_development"], 180,
    ),
    (
        "Processo enzimatico per proteine e lattosio dal siero di latte",
        PAVIA, "sara", OS.PUBLISHED, 5, IP.GRANTED_PATENT, "IT 102019000045678",
        ["agrifood", "life_sciences"],
        ["siero di latte", "biotecnologie", "valorizzazione scarti"],
        "Un processo enzimatico a bassa temperatura che separa proteine e lattosio "
        "dal siero dei caseifici per integratori e alimenti funzionali.",
        "Licenza non esclusiva a caseifici e consorzi; impianto pilota disponibile.",
        ["licence", "rd_contract"], 240,
    ),
    (
        "Genomic panel for neurodegeneration biomarkers",
        PAVIA, "beatrice", OS.PUBLISHED, 4, IP.PENDING_APPLICATION, "PCT/IB2025/051234",
        ["life_sciences"],
        ["genomica", "biomarcatori", "medicina di precisione", "diagnostica"],
        "A sequencing panel of 120 genes that stratifies patients at risk of "
        "neurodegenerative disease, validated on 800 samples.",
        "Exclusive licence for diagnostics; co-development of the assay welcome.",
        ["licence", "joint_development"], 320,
    ),
    (
        "Consorzi microbici biostimolanti per colture idroponiche",
        PAVIA, "sara", OS.PUBLISHED, 4, IP.KNOW_HOW, "",
        ["agrifood", "life_sciences"], ["agritech", "idroponica", "biotecnologie"],
        "Consorzi di batteri benefici che aumentano la resa delle insalate in "
        "idroponica del 15% riducendo i fertilizzanti.",
        "Accordo di know-how con prove in campo congiunte.",
        ["rd_contract", "joint_development"], 150,
    ),
    (
        "Piattaforma per comunità energetiche con accumulo condiviso",
        IREL, "paolo", OS.PUBLISHED, 7, IP.SOFTWARE, "",
        ["energy", "ict"],
        ["comunità energetiche", "smart grid", "accumulo", "energia rinnovabile"],
        "Software che ottimizza scambi e accumulo tra i membri di una comunità "
        "energetica rinnovabile, già in uso in due comuni della Valtellina.",
        "Licenza SaaS per comunità; canone annuale.",
        ["licence", "supply"], 270,
    ),
    (
        "Micro-digestore anaerobico per piccoli caseifici",
        IREL, "matteo", OS.PUBLISHED, 6, IP.PENDING_APPLICATION, "IT 102024000078901",
        ["energy", "agrifood"],
        ["biogas", "valorizzazione scarti", "efficienza energetica", "siero di latte"],
        "Un digestore modulare che trasforma siero e reflui in biogas per il calore "
        "delle celle di stagionatura.",
        "Licenza a costruttori di impianti; prova pilota con un caseificio.",
        ["licence", "joint_development"], 210,
    ),
    (
        "Riciclo chimico di fibre tessili miste",
        CMAB, "roberto", OS.PUBLISHED, 4, IP.PENDING_APPLICATION, "EP 4 301 552 A1",
        ["materials", "fashion_design"],
        ["riciclo fibre", "economia circolare", "polimeri", "riciclo plastiche"],
        "Un processo a solvente che separa seta, poliestere e poliammide dai "
        "cascami tessili e rigenera polimeri riutilizzabili.",
        "Licenza per distretto; sviluppo congiunto dell'impianto pilota.",
        ["licence", "joint_development"], 260,
    ),
    (
        "Compositi termoplastici riciclabili per strutture aeronautiche",
        CMAB, "andrea", OS.PUBLISHED, 5, IP.KNOW_HOW, "",
        ["aerospace", "materials"], ["compositi", "aerospazio", "riciclo plastiche"],
        "Laminati in fibra di carbonio a matrice termoplastica, saldabili e "
        "riciclabili, per staffe e pannelli aeronautici.",
        "Contratto di ricerca e licenza del know-how di processo.",
        ["rd_contract", "licence"], 230,
    ),
    (
        "Polveri metalliche rigenerate per additive manufacturing",
        CMAB, "andrea", OS.PUBLISHED, 6, IP.KNOW_HOW, "",
        ["materials", "manufacturing"], ["additive manufacturing", "polimeri"],
        "Un processo per riusare le polveri di titanio non fuse nella stampa 3D.",
        "Licenza del know-how.",
        ["licence"], -10,
    ),
    (
        "Tintura a freddo con catalizzatori enzimatici",
        POLITECNICO, "marco", OS.DRAFT, 3, IP.KNOW_HOW, "",
        ["fashion_design"], ["tintura", "efficienza idrica"],
        "Bozza: tintura a freddo dei tessuti con enzimi che riduce acqua ed energia.",
        "", ["rd_contract"], 365,
    ),
]

# The thematic communities some challenges are tied to (listed on their pages).
CHALLENGE_COMMUNITIES = {
    CHALLENGES[0][0]: "manifattura-avanzata",
    CHALLENGES[1][0]: "manifattura-avanzata",
    CHALLENGES[2][0]: "economia-circolare",
    CHALLENGES[4][0]: "agrifood",
    CHALLENGES[5][0]: "energia",
}

# What an offer's owner shows after an accepted expression of interest.
OFFER_DETAILS = {
    OFFERS[0][0]: "Il modello è addestrato su 12 macchine di tre costruttori; stima la vita "
    "residua con un errore medio di 40 ore e gira su un PC industriale.",
    OFFERS[3][0]: "Stack da 5 kW a 35 bar, efficienza del 74% sul PCI, membrana e "
    "catalizzatori prodotti dal laboratorio; prototipo in prova da 2.000 ore.",
    OFFERS[4][0]: "Resa in proteine del 92%, lattosio di grado alimentare; l'impianto "
    "pilota tratta 2.000 litri al giorno a 35 °C.",
    OFFERS[6][0]: "Tre ceppi di Bacillus e Pseudomonas selezionati; prove su lattuga e "
    "basilico in due serre lombarde.",
    OFFERS[9][0]: "Solvente ionico recuperato al 98%; separazione provata su lotti da "
    "50 kg di cascami misti seta e poliestere.",
}

# challenge or offer title, uploader, title, file name, text (confidential documents)
DOCUMENTS = [
    (
        CHALLENGES[0][0], "giulia", "Specifiche dei dati di vibrazione",
        "specifiche-dati-mandrini.txt",
        "Formato dei dati: CSV per macchina, 100 Hz, accelerometri triassiali e "
        "temperatura del cuscinetto anteriore; registro interventi allegato.\n",
    ),
    (
        OFFERS[3][0], "irene", "Risultati della prova di durata", "prova-durata-aem.txt",
        "Prova di 2.000 ore a 1 A/cm²: degrado di 12 µV/h, nessuna perdita di membrana.\n",
    ),
]

# The seekers' own evaluation criteria (name, weight), and how they scored and noted
# proposals: challenge title, {proposal title: ([score per criterion], note)}, scorer.
CRITERIA = {
    CHALLENGES[0][0]: [("Anticipo sul guasto", 3), ("Falsi allarmi", 2), ("Costo", 1)],
    CHALLENGES[3][0]: [("Acqua risparmiata", 3), ("Solidità del colore", 2), ("Costo", 1)],
}
EVALUATIONS = [
    (
        CHALLENGES[0][0], "giulia",
        {
            "Modelli ibridi fisici e neurali sulla vita residua dei mandrini": (
                [5, 4, 3], "Il metodo è già validato su macchine simili alle nostre.",
            ),
            "Sensori e analisi edge per i mandrini": (
                [3, 3, 4], "Richiede nuovi sensori su tutte le 40 macchine.",
            ),
        },
    ),
    (
        CHALLENGES[3][0], "laura",
        {
            "Tintura a freddo con catalizzatori enzimatici": (
                [4, 3, 4], "Da verificare la solidità su poliammide 6.6.",
            ),
            "Tintura in CO2 supercritica": ([5, 4, 1], "Impianto troppo costoso per noi."),
        },
    ),
]

# challenge title, asker, question, answerer, answer
QUESTIONS = [
    (
        CHALLENGES[0][0], "marco",
        "I dati di vibrazione sono etichettati con gli interventi di manutenzione?",
        "giulia", "Sì, abbiamo il registro degli interventi dal 2022 collegato ai dati.",
    ),
    (
        CHALLENGES[4][0], "sara",
        "Il siero è già separato dalla scotta o arriva miscelato?",
        "stefano", "Arriva separato, raccolto in cisterne refrigerate ogni giorno.",
    ),
    (
        CHALLENGES[7][0], "valentina",
        "Do the cohorts need longitudinal follow-up or is a single visit enough?",
        "", "",
    ),
]

# challenge title, solver, creator, [(status, actor, message)...], seeker_revealed,
# workspace name (for accepted proposals)
PROPOSALS = [
    (
        CHALLENGES[0][0], POLITECNICO, "marco",
        [
            ("submitted", "marco", ""),
            ("shortlisted", "giulia", "Molto interessante: vorremmo vedere i dettagli."),
        ],
        True, None,
        "Modelli ibridi fisici e neurali sulla vita residua dei mandrini",
        "Applichiamo il nostro metodo brevettato ai vostri dati storici.",
    ),
    (
        CHALLENGES[0][0], VISIOLAB, "luca",
        [("submitted", "luca", "")], False, None,
        "Sensori e analisi edge per i mandrini",
        "Proponiamo di aggiungere telecamere termiche ai sensori di vibrazione.",
    ),
    (
        CHALLENGES[1][0], VISIOLAB, "luca",
        [
            ("submitted", "luca", ""),
            ("shortlisted", "giulia", "Ci piace: passiamo ai dettagli."),
            ("accepted", "giulia", "Apriamo uno spazio di lavoro per la prova in linea."),
        ],
        True, "Manutenzione predittiva con visione artificiale",
        "Ispezione in linea con reti neurali addestrate su pochi esempi",
        "Una telecamera e un modulo edge per ogni macchina, con un modello per materiale.",
    ),
    (
        CHALLENGES[3][0], CMAB, "roberto",
        [
            ("submitted", "roberto", ""),
            ("declined", "laura", "La soluzione richiede impianti che non possiamo installare."),
        ],
        False, None,
        "Tintura in CO2 supercritica",
        "Tintura senz'acqua in autoclave a CO2 supercritica.",
    ),
    (
        CHALLENGES[3][0], POLITECNICO, "marco",
        [
            ("submitted", "marco", ""),
            ("shortlisted", "laura", "Interessante: ci mandate i consumi misurati?"),
        ],
        False, None,
        "Tintura a freddo con catalizzatori enzimatici",
        "Enzimi che fissano il colore a 40 °C, con il 60% di acqua in meno.",
    ),
    (
        CHALLENGES[2][0], PAVIA, "sara",
        [
            ("submitted", "sara", ""),
            ("withdrawn", "sara", "Ci ritiriamo: il gruppo di ricerca ha cambiato priorità."),
        ],
        False, None,
        "Fibroina rigenerata per biomateriali",
        "Estrarre fibroina dai cascami per scaffold biomedicali.",
    ),
]

# offer title, organisation, creator, status steps, collaboration type, workspace name
INTERESTS = [
    (
        OFFERS[3][0], IREL, "paolo",
        [
            ("sent", "paolo", ""),
            ("under_review", "irene", "La stiamo valutando con il TTO."),
            ("accepted", "irene", "Procediamo con la licenza: apriamo lo spazio di lavoro."),
        ],
        "licence", "Licenza brevetto elettrolizzatore AEM",
    ),
    (
        OFFERS[0][0], MECCANICA, "giulia",
        [("sent", "giulia", ""), ("under_review", "marco", "Ne parliamo giovedì.")],
        "rd_contract", None,
    ),
    (OFFERS[4][0], CASEIFICIO, "stefano", [("sent", "stefano", "")], "licence", None),
    (
        OFFERS[6][0], ORTO, "davide",
        [
            ("sent", "davide", ""),
            ("declined", "sara", "Per ora le prove in campo sono già assegnate; riproviamo in autunno."),
        ],
        "rd_contract", None,
    ),
    (
        OFFERS[9][0], TESSITURE, "chiara",
        [
            ("sent", "chiara", ""),
            ("withdrawn", "chiara", "Abbiamo trovato una soluzione interna, grazie."),
        ],
        "licence", None,
    ),
]

# subject title (challenge or offer), person, organisation
NDAS = [
    (CHALLENGES[0][0], "marco", POLITECNICO),
    (CHALLENGES[1][0], "luca", VISIOLAB),
    (OFFERS[3][0], "paolo", IREL),
    (CHALLENGES[3][0], "marco", POLITECNICO),
]

# title, body, days to the deadline, eligible kinds, sectors, tags, link
FUNDING_CALLS = [
    (
        "Bando Collabora & Innova 2026",
        "Contributi a fondo perduto fino al 50% per progetti di ricerca industriale "
        "tra imprese lombarde e organismi di ricerca, su manifattura avanzata, "
        "transizione digitale ed economia circolare.",
        75, ["enterprise", "startup", "university", "research_centre"],
        ["manufacturing", "ict", "materials"],
        ["industria 4.0", "economia circolare", "trasferimento tecnologico"],
        "https://www.regione.lombardia.example/collabora-innova-2026",
    ),
    (
        "Horizon Europe Cluster 6: circular bio-based food systems",
        "EU funding for consortia that turn agri-food side streams such as whey into "
        "food, feed and bio-based products; SMEs and research organisations eligible.",
        120, ["enterprise", "startup", "university", "research_centre"],
        ["agrifood", "life_sciences"],
        ["valorizzazione scarti", "siero di latte", "biotecnologie", "bandi europei"],
        "https://ec.europa.example/horizon/cluster6-2026",
    ),
    (
        "Voucher transizione energetica PMI",
        "Voucher da 30.000 € alle PMI per audit energetici, autoproduzione da fonti "
        "rinnovabili, accumulo e adesione a comunità energetiche.",
        45, ["enterprise", "startup"],
        ["energy"],
        ["efficienza energetica", "energia rinnovabile", "comunità energetiche"],
        "https://www.regione.lombardia.example/voucher-energia",
    ),
]


def _people():
    return {user.username: user for user in User.objects.all()}


def _organisations():
    return {org.name: org for org in Organisation.objects.all()}


def _add_tags(organisations):
    for name, (competences, interests) in EXTRA_TAGS.items():
        organisation = organisations.get(name)
        if organisation is None:
            continue
        if competences:
            organisation.competences.add(*competences)
        if interests:
            organisation.interests.add(*interests)


def _steps(step_field, subject, steps, people, start):
    moment = start
    for status, actor, message in steps:
        change = StatusChange.objects.create(
            **{step_field: subject},
            status=status,
            message=message,
            actor=people.get(actor),
        )
        StatusChange.objects.filter(pk=change.pk).update(created_at=moment)
        moment += datetime.timedelta(days=2)
    return steps[-1][0]


# Deals already done: the challenge, the solver and its person, the workspace's name,
# its collaboration type, the outcome and its value band (the dashboard's agreements).
PAST_DEALS = [
    (
        "Mandrini alleggeriti in composito", POLITECNICO, "marco",
        "Mandrini in composito", "rd_contract", "rd_contract", "50k_250k",
        "Mandrini in fibra di carbonio con inserti stampati",
        "Un mandrino in composito con inserti metallici stampati in 3D, già provato al banco.",
    ),
    (
        "Analisi automatica della crosta dei formaggi stagionati", VISIOLAB, "luca",
        "Crosta dei formaggi", "rd_contract", "no_agreement", "",
        "Telecamere iperspettrali in stagionatura",
        "Un carrello con telecamere iperspettrali che passa tra le scalere ogni notte.",
    ),
]


def _past_deal(challenge, organisations, people, solver, author, name, collaboration,
               result, band, title, summary):
    """A proposal accepted into a workspace whose outcome was recorded (and which was
    archived with it), through the services a lead would use."""
    seeker = people.get(challenge.created_by.username) if challenge.created_by else None
    person = people.get(author)
    if seeker is None or person is None or solver not in organisations:
        return
    workspace = workspace_services.workspace_create(
        actor=seeker, name=name, collaboration_type=collaboration
    )
    participant_services.participant_add(
        actor=seeker, workspace=workspace, user=person,
        organisation=organisations[solver], role=Participant.Role.MEMBER,
    )
    proposal = Proposal.objects.create(
        challenge=challenge, organisation=organisations[solver], created_by=person,
        title=title, summary=summary, status=Proposal.Status.ACCEPTED,
        seeker_revealed=True, workspace=workspace,
    )
    steps = [
        ("submitted", author, ""),
        ("accepted", seeker.username, "Procediamo: apriamo lo spazio di lavoro."),
    ]
    _steps("proposal", proposal, steps, people, challenge.published_at)
    outcome_services.outcome_record(
        actor=seeker, workspace=workspace, result=result, value_band=band
    )


def _date_the_funnel(now):
    """Date each row of the funnel at its first step (the services stamp them now), so
    the dashboard's months show the year the demo tells: questions a few days after
    publication, answers when sent, workspaces when accepted, outcomes after work."""
    for challenge in Challenge.objects.exclude(published_at=None):
        Challenge.objects.filter(pk=challenge.pk).update(
            created_at=challenge.published_at - datetime.timedelta(days=5)
        )
        challenge.questions.update(
            created_at=challenge.published_at + datetime.timedelta(days=3)
        )
    for model, field, sent in (
        (Proposal, "proposal", "submitted"),
        (ExpressionOfInterest, "interest", "sent"),
    ):
        for answer in model.objects.all():
            moments = dict(
                StatusChange.objects.filter(**{field: answer}).values_list(
                    "status", "created_at"
                )
            )
            model.objects.filter(pk=answer.pk).update(created_at=moments[sent])
            if answer.workspace_id is not None and "accepted" in moments:
                Workspace.objects.filter(pk=answer.workspace_id).update(
                    created_at=moments["accepted"]
                )
    # An NDA is accepted the day after the step that opened the details.
    for nda in NdaAcceptance.objects.all():
        if nda.challenge_id:
            answers = Proposal.objects.filter(challenge_id=nda.challenge_id)
        else:
            answers = ExpressionOfInterest.objects.filter(offer_id=nda.offer_id)
        answer = answers.get(organisation_id=nda.organisation_id)
        opened = answer.status_changes.filter(status__in=("shortlisted", "accepted")).first()
        NdaAcceptance.objects.filter(pk=nda.pk).update(
            accepted_at=opened.created_at + datetime.timedelta(days=1)
        )
    for outcome in Outcome.objects.select_related("workspace"):
        Outcome.objects.filter(pk=outcome.pk).update(
            recorded_at=min(
                outcome.workspace.created_at + datetime.timedelta(days=90),
                now - datetime.timedelta(days=1),
            )
        )


def seed(stdout):
    """Create the innovation demo (once: a second call finds it and adds nothing)."""
    if Challenge.objects.filter(title=CHALLENGES[0][0]).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    people = _people()
    organisations = _organisations()
    if not all(name in organisations for name in (MECCANICA, POLITECNICO, CMAB)):
        return  # not the community demo
    _add_tags(organisations)
    desk = people.get("federica")
    if desk is not None:
        Facilitator.objects.get_or_create(
            person=desk,
            defaults={"organisation": organisations.get("Innovhub Lombardia"),
                      "granted_by": people.get("admin")},
        )

    communities = {
        community.slug: community
        for community in Community.objects.filter(slug__in=CHALLENGE_COMMUNITIES.values())
    }
    challenges = {}
    for index, row in enumerate(CHALLENGES):
        (title, seeker, creator, status, anonymous, kind, sectors, tags, summary,
         details, collaboration, award, deadline_days) = row
        public = status not in (S.DRAFT, S.IN_VALIDATION)
        challenge = Challenge.objects.create(
            organisation=organisations[seeker],
            created_by=people.get(creator),
            title=title,
            summary=summary,
            details=details,
            challenge_type=kind,
            collaboration_types=collaboration,
            sectors=sectors,
            deadline=today + datetime.timedelta(days=deadline_days),
            award=award,
            status=status,
            anonymous=anonymous,
            community=communities.get(CHALLENGE_COMMUNITIES.get(title)),
            nda_text=NDA if index in (0, 1, 3) else "",
            facilitator=desk if status == S.IN_VALIDATION else None,
            validated_by=desk if public else None,
            published_at=(
                now - datetime.timedelta(days=20 + 25 * index) if public else None
            ),
        )
        challenge.tags.add(*tags)
        for position, (name, weight) in enumerate(CRITERIA.get(title, ())):
            EvaluationCriterion.objects.create(
                challenge=challenge, name=name, weight=weight, position=position
            )
        challenges[title] = challenge
        if status == S.DRAFT and desk is not None:
            # The firm's draft waits on the desk's "Firms asking for help".
            desk_services.help_request(actor=people[creator], item=challenge)

    offers = {}
    for index, row in enumerate(OFFERS):
        (title, owner, creator, status, trl, ip_status, patent, sectors, tags, summary,
         terms, collaboration, expiry_days) = row
        published = status == OS.PUBLISHED
        offer = TechnologyOffer.objects.create(
            organisation=organisations[owner],
            created_by=people.get(creator),
            title=title,
            summary=summary,
            trl=trl,
            ip_status=ip_status,
            patent_number=patent,
            licensing_terms=terms,
            details=OFFER_DETAILS.get(title, ""),
            collaboration_types=collaboration,
            sectors=sectors,
            status=status,
            nda_text=NDA if index in (0, 3) else "",
            validated_by=desk if published else None,
            published_at=now - datetime.timedelta(days=15 + 20 * index) if published else None,
            expires_at=now + datetime.timedelta(days=expiry_days) if published else None,
        )
        offer.tags.add(*tags)
        offers[title] = offer

    for title, asker, question, answerer, answer in QUESTIONS:
        ChallengeQuestion.objects.create(
            challenge=challenges[title],
            asked_by=people.get(asker),
            question=question,
            answer=answer,
            answered_by=people.get(answerer) if answer else None,
            answered_at=now - datetime.timedelta(days=3) if answer else None,
        )

    workspaces = {ws.name: ws for ws in Workspace.objects.all()}
    for title, solver, creator, steps, revealed, workspace, p_title, p_summary in PROPOSALS:
        challenge = challenges[title]
        proposal = Proposal.objects.create(
            challenge=challenge,
            organisation=organisations[solver],
            created_by=people.get(creator),
            title=p_title,
            summary=p_summary,
            status=steps[-1][0],
            seeker_revealed=revealed or not challenge.anonymous,
            workspace=workspaces.get(workspace) if workspace else None,
        )
        _steps("proposal", proposal, steps, people, challenge.published_at)

    for title, username, marks in EVALUATIONS:
        challenge = challenges[title]
        criteria = list(challenge.criteria.order_by("position"))
        for proposal in challenge.proposals.filter(title__in=marks):
            scores, note = marks[proposal.title]
            proposal_services.scores_set(
                actor=people[username],
                proposal=proposal,
                scores={c.pk: score for c, score in zip(criteria, scores, strict=True)},
            )
            proposal_services.note_add(actor=people[username], proposal=proposal, body=note)

    for deal in PAST_DEALS:
        _past_deal(challenges[deal[0]], organisations, people, *deal[1:])

    for title, organisation, creator, steps, collaboration, workspace in INTERESTS:
        offer = offers[title]
        interest = ExpressionOfInterest.objects.create(
            offer=offer,
            organisation=organisations[organisation],
            created_by=people.get(creator),
            who_we_are=organisations[organisation].description,
            intended_use="Integrarla nei nostri impianti e prodotti in Lombardia.",
            cooperation="Una prova pilota di sei mesi, poi la licenza.",
            collaboration_type=collaboration,
            status=steps[-1][0],
            workspace=workspaces.get(workspace) if workspace else None,
        )
        _steps("interest", interest, steps, people, offer.published_at)

    for title, username, organisation in NDAS:
        subject = challenges.get(title) or offers[title]
        field = "challenge" if title in challenges else "offer"
        person = people[username]
        if not Affiliation.objects.filter(
            user=person, organisation=organisations[organisation],
            state=Affiliation.State.ACTIVE,
        ).exists():
            continue
        NdaAcceptance.objects.create(
            **{field: subject},
            person=person,
            organisation=organisations[organisation],
            text=subject.nda_text,
        )

    for title, username, document_title, name, text in DOCUMENTS:
        disclosure_services.document_upload(
            actor=people[username],
            subject=challenges.get(title) or offers[title],
            file=ContentFile(text.encode(), name=name),
            title=document_title,
        )

    publisher = people.get("martina") or desk
    for title, body, days, kinds, sectors, tags, link in FUNDING_CALLS:
        call = FundingCall.objects.create(
            title=title,
            body=body,
            deadline=today + datetime.timedelta(days=days),
            eligible_kinds=kinds,
            sectors=sectors,
            link=link,
            published_by=publisher,
        )
        call.tags.add(*tags)

    _date_the_funnel(now)
    stdout.write(
        f"Open innovation: {len(challenges)} challenges, {len(offers)} technology "
        f"offers, {len(PROPOSALS)} proposals, {len(INTERESTS)} expressions of interest, "
        f"{len(FUNDING_CALLS)} funding calls."
    )
