"""The labelled set match suggestions are measured on: for ten organisations of the
demo network (`seed_demo`), the suggestions a person of the Lombard innovation desk
would call relevant, each with its reason. Written down before tuning, from the
organisations' descriptions and the items' texts, not from the ranking. Items the
organisation already answered (a proposal, an expression of interest) are left out:
they are never suggested. Used by test_precision.py and bench/matching.py."""

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

COLLABORA = "Bando Collabora & Innova 2026"
HORIZON = "Horizon Europe Cluster 6: circular bio-based food systems"
VOUCHER = "Voucher transizione energetica PMI"

ROBOT = "Cella robotizzata collaborativa per l'asservimento macchine"
INSPECTION = "Deep-learning inspection of machined surfaces"
COMPOSITES = "Compositi termoplastici riciclabili per strutture aeronautiche"
DIGESTER = "Micro-digestore anaerobico per piccoli caseifici"
ENERGY_COMMUNITY = "Piattaforma per comunità energetiche con accumulo condiviso"
PREDICTIVE = "Modelli ibridi per la manutenzione predittiva delle macchine utensili"
GENOMIC_PANEL = "Genomic panel for neurodegeneration biomarkers"

OPTICAL = "Ispezione ottica automatica delle superfici lavorate"
EDGE = "Low-power edge hardware for in-line camera inspection"
SOLAR_COOLING = "Refrigerazione solare per container idroponici"
AGEING_ROOMS = "Ridurre i consumi energetici delle celle di stagionatura"
SILK = "Recupero delle fibre di scarto della seta"
COHORTS = "Patient cohorts for validating neurodegeneration biomarkers"
WHEY = "Valorizzare il siero di latte della produzione casearia"

# {organisation: {(kind, title or name): why a person would call it relevant}}
RELEVANT = {
    MECCANICA: {
        ("offer", ROBOT): "loads and unloads their machining centres: automation, robotics",
        ("offer", INSPECTION): "machine vision on machined parts, one of their interests",
        ("offer", COMPOSITES): "they build machines for aerospace and sought composite spindles",
        ("organisation", POLITECNICO): "robotics, AI and digital twins: their research partner",
        ("organisation", CMAB): "composites and additive manufacturing for lighter spindles",
        ("funding_call", COLLABORA): "funds firm–university research in advanced manufacturing",
    },
    TESSITURE: {
        ("organisation", CMAB): "recycles mixed textile fibres, their circular-economy aim",
        ("organisation", POLITECNICO): "works on low-water enzymatic dyeing for them",
        ("funding_call", COLLABORA): "funds circular-economy research with a research body",
    },
    CASEIFICIO: {
        ("offer", DIGESTER): "turns their whey and effluents into heat for the ageing rooms",
        ("offer", ENERGY_COMMUNITY): "self-produced renewables and storage cut their energy bill",
        ("organisation", IREL): "biogas and energy-efficiency research",
        ("organisation", PAVIA): "holds a patented process for whey proteins",
        ("funding_call", HORIZON): "funds whey valorisation",
        ("funding_call", VOUCHER): "funds SME energy audits and renewables",
        ("funding_call", COLLABORA): "funds circular-economy projects with research partners",
    },
    POLITECNICO: {
        ("challenge", OPTICAL): "their surface-inspection software answers it",
        ("challenge", EDGE): "AI and electronics research for edge inference",
        ("challenge", SOLAR_COOLING): "their energy department's field",
        ("challenge", AGEING_ROOMS): "their energy department's field",
        ("challenge", SILK): "their materials department's field",
        ("organisation", MECCANICA): "machine builder wanting predictive maintenance and digital twins",
        ("organisation", VISIOLAB): "their own spin-off in machine vision",
        ("funding_call", COLLABORA): "funds university–firm research",
    },
    PAVIA: {
        ("challenge", COHORTS): "genomics and biomarkers research",
        ("challenge", WHEY): "their enzymatic whey process answers it",
        ("organisation", BIONOVA): "biomarker start-up needing genomics partners",
        ("organisation", CASEIFICIO): "a dairy with whey to valorise",
        ("organisation", ORTO): "a hydroponic grower for their biostimulants",
        ("funding_call", HORIZON): "funds bio-based valorisation of agri-food side streams",
    },
    IREL: {
        ("challenge", AGEING_ROOMS): "energy efficiency and biogas, their research",
        ("challenge", SOLAR_COOLING): "renewables and storage, their research",
        ("organisation", CASEIFICIO): "a firm that needs their micro-digester",
        ("organisation", ORTO): "needs solar cooling with storage",
    },
    CMAB: {
        ("challenge", SILK): "their chemical fibre recycling answers it",
        ("organisation", TESSITURE): "textile firm wanting its scraps recycled",
        ("organisation", MECCANICA): "machine builder for aerospace using composites",
        ("funding_call", COLLABORA): "funds materials and circular-economy research",
    },
    VISIOLAB: {
        ("offer", INSPECTION): "complements their inspection product",
        ("offer", PREDICTIVE): "predictive maintenance beside their vision, as in their JV",
        ("organisation", POLITECNICO): "their parent university: AI and vision research",
        ("funding_call", COLLABORA): "funds start-up–university research in manufacturing",
    },
    ORTO: {
        ("organisation", IREL): "renewables and storage for their containers",
        ("offer", ENERGY_COMMUNITY): "shared storage for their solar containers",
        ("organisation", PAVIA): "biostimulants for hydroponics",
        ("funding_call", VOUCHER): "funds SME renewables and storage",
    },
    BIONOVA: {
        ("offer", GENOMIC_PANEL): "genomic stratification for their biomarkers",
        ("organisation", PAVIA): "genomics and pharmacology partner",
    },
}

AT = 5


def label(suggestion):
    return (str(suggestion.kind), str(suggestion.object))


def precision(shown, relevant):
    """Of the suggestions shown in the top `AT` (fewer when fewer are made), the share
    a person would call relevant; 0 when nothing is shown."""
    top = shown[:AT]
    if not top:
        return 0.0
    return sum(1 for suggestion in top if label(suggestion) in relevant) / len(top)


def strict_precision(shown, relevant):
    """Precision@5 dividing by five whatever is shown (fewer suggestions count as
    misses): the stricter reading, printed beside the other by bench/matching.py."""
    return sum(1 for suggestion in shown[:AT] if label(suggestion) in relevant) / AT


def measure(ranked):
    """{organisation name: precision@5} and the mean, `ranked(organisation)` giving
    the merged ranking of one organisation."""
    from community.models import Organisation

    organisations = {o.name: o for o in Organisation.objects.filter(name__in=RELEVANT)}
    figures = {
        name: precision(ranked(organisations[name]), relevant)
        for name, relevant in RELEVANT.items()
    }
    return figures, sum(figures.values()) / len(figures)
