"""Synthetic London: the fictional organisations, services and contracts the seeder creates.

Every name here is invented (the slugs the demo personas use are fixed by personas.py). The shape follows London's
real provision: local specialist services per sub-region, pan-London specialist lines, "led by and for" services
that mostly cover all of London with few places, refuges at confidential addresses, an independent advisory
service for abuse by police officers and staff, and the referrers that send most referrals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carehub.core.london import BOROUGHS
from carehub.synthetic.codes import AbuseType as A
from carehub.synthetic.codes import Community as C
from carehub.synthetic.codes import OrganisationKind
from carehub.synthetic.codes import ServiceType as T

HUB_SLUG = "london-victim-care-hub"
IAS_SLUG = "independent-advisory-service"
COMMISSIONER_SLUG = "mopac"
MOPAC = "Mayor's Office for Policing and Crime"

_CODE = {name: code for code, name in BOROUGHS.items()}


def _area(*names: str) -> tuple[str, ...]:
    return tuple(_CODE[n] for n in names)


ALL_LONDON: tuple[str, ...] = ()  # an empty area means the service covers all of London
NORTH = _area("Barnet", "Camden", "Enfield", "Haringey", "Islington")
EAST = _area(
    "Barking and Dagenham", "City of London", "Hackney", "Havering", "Newham", "Redbridge", "Tower Hamlets",
    "Waltham Forest",
)  # fmt: skip
SOUTH = _area(
    "Bexley", "Bromley", "Croydon", "Greenwich", "Kingston upon Thames", "Lambeth", "Lewisham", "Merton",
    "Richmond upon Thames", "Southwark", "Sutton", "Wandsworth",
)  # fmt: skip
WEST = _area(
    "Brent", "Ealing", "Hammersmith and Fulham", "Harrow", "Hillingdon", "Hounslow", "Kensington and Chelsea",
    "Westminster",
)  # fmt: skip


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    service_type: str
    area: tuple[str, ...] = ALL_LONDON
    languages: tuple[str, ...] = ()
    specialisms: tuple[str, ...] = ()
    min_age: int = 16
    max_age: int | None = None
    accepts_men: bool = False
    accepts_nrpf: bool = True
    # Open cases a real service of this kind holds: drives its share of routing and its contract's value. The
    # capacity stored in the directory is scaled to the volume seeded, so that occupancy stays plausible.
    places: int = 60
    wait_days: int = 10
    # Commissioned support length (weeks) under the previous and the current contract.
    weeks: tuple[int, int] = (12, 12)
    funder: str = MOPAC
    address: str = ""


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    kind: str
    communities: tuple[str, ...] = ()
    services: tuple[ServiceSpec, ...] = field(default_factory=tuple)

    @property
    def provides_services(self) -> bool:
        return bool(self.services)


K = OrganisationKind
SV = (A.SEXUAL, A.NON_PARTNER_SEXUAL)
HBA = (A.HONOUR_BASED, A.FORCED_MARRIAGE, A.FGM)

SPECIALISTS: tuple[OrgSpec, ...] = (
    OrgSpec(
        "quaymarsh-womens-service",
        "Quaymarsh Women's Service",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Quaymarsh IDVA Service", T.IDVA, _area("Lambeth", "Southwark", "Lewisham"), places=120, weeks=(12, 26)
            ),
            ServiceSpec(
                "Quaymarsh Community Outreach", T.OUTREACH, _area("Lambeth", "Southwark", "Lewisham"), places=60
            ),
            ServiceSpec(
                "Quaymarsh Refuge",
                T.REFUGE,
                _area("Lambeth", "Southwark", "Lewisham"),
                places=18,
                wait_days=21,
                accepts_nrpf=False,
                address="Confidential: 7 Larkspur Mews, London SE27 0QX",
            ),
            ServiceSpec(
                "Quaymarsh Children and Young People",
                T.CHILDREN,
                _area("Lambeth", "Southwark", "Lewisham"),
                min_age=13,
                max_age=24,
                places=30,
            ),
        ),
    ),
    OrgSpec(
        "northbank-domestic-abuse-service",
        "Northbank Domestic Abuse Service",
        K.SPECIALIST,
        services=(
            ServiceSpec("Northbank IDVA Service", T.IDVA, _area("Camden", "Islington", "Haringey"), places=100),
            ServiceSpec("Northbank Outreach", T.OUTREACH, _area("Camden", "Islington", "Haringey"), places=50),
            ServiceSpec(
                "Northbank Counselling",
                T.COUNSELLING,
                _area("Camden", "Islington", "Haringey"),
                places=40,
                wait_days=35,
                weeks=(12, 12),
            ),
        ),
    ),
    OrgSpec(
        "eastway-womens-project",
        "Eastway Women's Project",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Eastway IDVA Service",
                T.IDVA,
                _area("Tower Hamlets", "Hackney", "Newham", "City of London"),
                places=130,
                languages=("bn",),
            ),
            ServiceSpec(
                "Eastway Refuge",
                T.REFUGE,
                _area("Tower Hamlets", "Hackney", "Newham"),
                places=20,
                wait_days=28,
                accepts_nrpf=False,
                address="Confidential: 22 Quillan Row, London E3 9TB",
            ),
            ServiceSpec("Eastway Outreach", T.OUTREACH, _area("Tower Hamlets", "Hackney", "Newham"), places=50),
        ),
    ),
    OrgSpec(
        "forest-gate-advocacy-trust",
        "Forest Gate Advocacy Trust",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Forest Gate IDVA Service",
                T.IDVA,
                _area("Barking and Dagenham", "Havering", "Redbridge", "Waltham Forest"),
                places=110,
            ),
            ServiceSpec(
                "Forest Gate Refuge",
                T.REFUGE,
                _area("Barking and Dagenham", "Havering", "Redbridge"),
                places=16,
                wait_days=30,
                accepts_nrpf=False,
                address="Confidential: 3 Wrenfield Close, Romford RM7 4PL",
            ),
        ),
    ),
    OrgSpec(
        "westway-womens-support",
        "Westway Women's Support",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Westway IDVA Service",
                T.IDVA,
                _area("Brent", "Ealing", "Harrow"),
                places=110,
                languages=("gu", "pa", "so"),
                weeks=(12, 26),
            ),
            ServiceSpec(
                "Westway Counselling", T.COUNSELLING, _area("Brent", "Ealing", "Harrow"), places=35, wait_days=42
            ),
        ),
    ),
    OrgSpec(
        "riverside-advocacy-west",
        "Riverside Advocacy West",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Riverside IDVA Service",
                T.IDVA,
                _area("Hammersmith and Fulham", "Kensington and Chelsea", "Westminster"),
                places=90,
            ),
            ServiceSpec(
                "Riverside Outreach",
                T.OUTREACH,
                _area("Hammersmith and Fulham", "Kensington and Chelsea", "Westminster"),
                places=40,
            ),
        ),
    ),
    OrgSpec(
        "shooters-hill-womens-centre",
        "Shooters Hill Women's Centre",
        K.SPECIALIST,
        services=(
            ServiceSpec("Shooters Hill IDVA Service", T.IDVA, _area("Greenwich", "Bexley", "Bromley"), places=100),
            ServiceSpec(
                "Shooters Hill Counselling",
                T.COUNSELLING,
                _area("Greenwich", "Bexley", "Bromley"),
                places=30,
                wait_days=40,
            ),
            ServiceSpec("Shooters Hill Outreach", T.OUTREACH, _area("Greenwich", "Bexley", "Bromley"), places=40),
        ),
    ),
    OrgSpec(
        "wandle-valley-womens-service",
        "Wandle Valley Women's Service",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Wandle Valley IDVA Service",
                T.IDVA,
                _area("Croydon", "Sutton", "Merton", "Kingston upon Thames", "Richmond upon Thames", "Wandsworth"),
                places=150,
                weeks=(12, 26),
            ),
            ServiceSpec(
                "Wandle Valley Refuge",
                T.REFUGE,
                _area("Croydon", "Sutton", "Merton"),
                places=22,
                wait_days=25,
                accepts_nrpf=False,
                address="Confidential: 15 Tamsin Gardens, Croydon CR0 6DW",
            ),
            ServiceSpec(
                "Wandle Valley Outreach",
                T.OUTREACH,
                _area("Kingston upon Thames", "Richmond upon Thames", "Wandsworth"),
                places=40,
            ),
        ),
    ),
    OrgSpec(
        "heathrow-corridor-womens-service",
        "Heathrow Corridor Women's Service",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Heathrow Corridor IDVA Service",
                T.IDVA,
                _area("Hillingdon", "Hounslow"),
                places=80,
                languages=("pa", "pl"),
            ),
            ServiceSpec("Heathrow Corridor Outreach", T.OUTREACH, _area("Hillingdon", "Hounslow"), places=30),
        ),
    ),
    OrgSpec(
        "north-circular-da-partnership",
        "North Circular Domestic Abuse Partnership",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "North Circular IDVA Service", T.IDVA, _area("Barnet", "Enfield"), places=100, languages=("tr",)
            ),
            ServiceSpec(
                "North Circular Refuge",
                T.REFUGE,
                _area("Barnet", "Enfield", "Haringey"),
                places=14,
                wait_days=30,
                accepts_nrpf=False,
                address="Confidential: 9 Birchmoor Walk, London N13 5HJ",
            ),
        ),
    ),
    OrgSpec(
        "london-rape-advocacy-network",
        "London Rape Advocacy Network",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "London ISVA Service",
                T.ISVA,
                specialisms=SV,
                places=140,
                accepts_men=True,
                weeks=(26, 52),
                funder="NHS England (London) and MOPAC",
            ),
        ),
    ),
    OrgSpec(
        "wrenmoor-sexual-violence-support",
        "Wrenmoor Sexual Violence Support",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Wrenmoor Therapeutic Service",
                T.COUNSELLING,
                specialisms=SV,
                places=60,
                wait_days=56,
                accepts_men=True,
                weeks=(12, 26),
                funder="NHS North Central London ICB",
            ),
            ServiceSpec(
                "Wrenmoor ISVA Service",
                T.ISVA,
                SOUTH,
                specialisms=SV,
                places=50,
                accepts_men=True,
                weeks=(26, 26),
                funder="Ministry of Justice",
            ),
        ),
    ),
    OrgSpec(
        "lindenfold-womens-line",
        "Lindenfold Women's Line",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Lindenfold Women's Line",
                T.HELPLINE,
                places=80,
                wait_days=0,
                weeks=(12, 12),
                languages=("ar", "bn", "es", "pl", "pt", "so", "ur"),
            ),
        ),
    ),
    OrgSpec(
        "citywide-domestic-abuse-advice",
        "Citywide Domestic Abuse Advice Line",
        K.SPECIALIST,
        services=(ServiceSpec("Citywide Advice Line", T.ADVICE_LINE, places=60, wait_days=1, accepts_men=True),),
    ),
    OrgSpec(
        "calder-row-legal-centre",
        "Calder Row Legal Centre",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Family Law and Immigration Advice",
                T.LEGAL_IMMIGRATION,
                places=45,
                wait_days=14,
                funder="London Councils",
            ),
        ),
    ),
    OrgSpec(
        "capital-young-peoples-service",
        "Capital Young People's Service",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Young People's Violence Advisers", T.CHILDREN, min_age=13, max_age=24, places=50, accepts_men=True
            ),
        ),
    ),
    OrgSpec(
        "safe-harbour-refuges",
        "Safe Harbour Refuges",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Safe Harbour North Refuge",
                T.REFUGE,
                NORTH,
                places=24,
                wait_days=30,
                weeks=(26, 26),
                accepts_nrpf=False,
                address="Confidential: 41 Hollybush Terrace, London N17 8RS",
            ),
            ServiceSpec(
                "Safe Harbour West Refuge",
                T.REFUGE,
                WEST,
                places=24,
                wait_days=30,
                weeks=(26, 26),
                accepts_nrpf=False,
                address="Confidential: 6 Marlowe Yard, London W7 2EN",
            ),
            ServiceSpec(
                "Safe Harbour Dispersed Accommodation",
                T.REFUGE,
                places=20,
                wait_days=35,
                weeks=(26, 52),
                address="Confidential: dispersed flats across London (office: 2 Cressida Row, London SE1 9ZD)",
            ),
        ),
    ),
    OrgSpec(
        "ottermead-stalking-support",
        "Ottermead Stalking Support",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Ottermead Stalking Advocacy",
                T.IDVA,
                specialisms=(A.STALKING, A.TECH_FACILITATED),
                places=60,
                accepts_men=True,
                weeks=(26, 26),
            ),
        ),
    ),
    OrgSpec(
        "kinship-safety-project",
        "Kinship Safety Project",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Honour-Based Abuse and Forced Marriage Advocacy",
                T.IDVA,
                specialisms=HBA,
                places=40,
                languages=("ur", "pa", "bn", "ar", "ku", "so"),
                accepts_men=True,
                weeks=(26, 52),
            ),
        ),
    ),
    OrgSpec(
        "older-womens-safety-project",
        "Older Women's Safety Project",
        K.SPECIALIST,
        services=(ServiceSpec("Older Women's Outreach", T.OUTREACH, min_age=55, places=30, weeks=(26, 26)),),
    ),
    OrgSpec(
        "moorhen-counselling-collective",
        "Moorhen Counselling Collective",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Moorhen Recovery Programme", T.COUNSELLING, EAST + NORTH, places=40, wait_days=49, weeks=(12, 26)
            ),
        ),
    ),
    OrgSpec(
        "brackenfield-trafficking-support",
        "Brackenfield Trafficking Support",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Brackenfield Outreach",
                T.OUTREACH,
                specialisms=(A.TRAFFICKING,),
                places=25,
                languages=("ro", "pt", "es"),
                weeks=(26, 52),
                funder="Home Office",
            ),
        ),
    ),
    OrgSpec(
        "keyhollow-tech-abuse-service",
        "Keyhollow Tech Abuse Service",
        K.SPECIALIST,
        services=(
            ServiceSpec(
                "Keyhollow Tech Abuse Advice Line",
                T.ADVICE_LINE,
                specialisms=(A.TECH_FACILITATED, A.STALKING),
                places=25,
                accepts_men=True,
            ),
        ),
    ),
    OrgSpec(
        "london-advocacy-partnership",
        "London Advocacy Partnership",
        K.SPECIALIST,
        services=(ServiceSpec("Pan-London IDVA Service", T.IDVA, places=90, accepts_men=True, weeks=(12, 12)),),
    ),
)

BY_AND_FOR: tuple[OrgSpec, ...] = (
    OrgSpec(
        "kestrel-rise",
        "Kestrel Rise",
        K.BY_AND_FOR,
        (C.BLACK_MINORITISED,),
        services=(
            ServiceSpec(
                "Kestrel Rise Advocacy",
                T.IDVA,
                EAST + NORTH,
                places=45,
                wait_days=21,
                languages=("yo", "tw"),
                weeks=(26, 52),
                funder="London Councils",
            ),
            ServiceSpec(
                "Kestrel Rise Healing Circle",
                T.COUNSELLING,
                places=20,
                wait_days=45,
                weeks=(26, 26),
                funder="National Lottery Community Fund",
            ),
        ),
    ),
    OrgSpec(
        "saffronmere-south-asian-womens-project",
        "Saffronmere South Asian Women's Project",
        K.BY_AND_FOR,
        (C.SOUTH_ASIAN,),
        services=(
            ServiceSpec(
                "Saffronmere Advocacy",
                T.IDVA,
                places=45,
                wait_days=18,
                languages=("bn", "gu", "hi", "pa", "ur"),
                specialisms=HBA,
                weeks=(26, 26),
            ),
            ServiceSpec(
                "Saffronmere Refuge",
                T.REFUGE,
                places=12,
                wait_days=40,
                languages=("bn", "gu", "hi", "pa", "ur"),
                address="Confidential: 12 Saffron Court, London UB1 3QQ",
                weeks=(26, 52),
            ),
            ServiceSpec(
                "Saffronmere Helpline", T.HELPLINE, places=15, wait_days=0, languages=("bn", "gu", "hi", "pa", "ur")
            ),
        ),
    ),
    OrgSpec(
        "vientoclaro-womens-project",
        "Vientoclaro Latin American Women's Project",
        K.BY_AND_FOR,
        (C.LATIN_AMERICAN, C.MIGRANT),
        services=(
            ServiceSpec(
                "Vientoclaro Advocacy",
                T.IDVA,
                places=30,
                wait_days=24,
                languages=("es", "pt"),
                weeks=(26, 26),
                funder="London Councils",
            ),
            ServiceSpec(
                "Vientoclaro Legal Advice", T.LEGAL_IMMIGRATION, places=20, wait_days=21, languages=("es", "pt")
            ),
        ),
    ),
    OrgSpec(
        "zarin-womens-network",
        "Zarin Middle Eastern Women's Network",
        K.BY_AND_FOR,
        (C.MIDDLE_EASTERN,),
        services=(
            ServiceSpec(
                "Zarin Advocacy",
                T.IDVA,
                places=25,
                wait_days=26,
                languages=("ar", "fa", "ku", "tr"),
                specialisms=HBA,
                weeks=(26, 26),
            ),
            ServiceSpec("Zarin Counselling", T.COUNSELLING, places=12, wait_days=50, languages=("ar", "fa", "ku")),
        ),
    ),
    OrgSpec(
        "baltic-bridge-womens-network",
        "Baltic Bridge Women's Network",
        K.BY_AND_FOR,
        (C.EAST_EUROPEAN,),
        services=(
            ServiceSpec("Baltic Bridge Outreach", T.OUTREACH, places=25, wait_days=20, languages=("pl", "lt", "ro")),
            ServiceSpec(
                "Baltic Bridge Advice Line", T.ADVICE_LINE, places=10, wait_days=2, languages=("pl", "lt", "ro")
            ),
        ),
    ),
    OrgSpec(
        "rainbow-harbour",
        "Rainbow Harbour LGBT+ Abuse Service",
        K.BY_AND_FOR,
        (C.LGBT_PLUS,),
        services=(
            ServiceSpec("Rainbow Harbour Advocacy", T.IDVA, places=30, wait_days=20, accepts_men=True, weeks=(26, 26)),
            ServiceSpec("Rainbow Harbour Helpline", T.HELPLINE, places=10, wait_days=0, accepts_men=True),
        ),
    ),
    OrgSpec(
        "open-hands-womens-service",
        "Open Hands Deaf and Disabled Women's Service",
        K.BY_AND_FOR,
        (C.DEAF_DISABLED,),
        services=(
            ServiceSpec("Open Hands Advocacy", T.IDVA, places=20, wait_days=25, languages=("bfi",), weeks=(26, 52)),
            ServiceSpec("Open Hands Counselling", T.COUNSELLING, places=10, wait_days=40, languages=("bfi",)),
        ),
    ),
    OrgSpec(
        "new-shores-migrant-womens-project",
        "New Shores Migrant Women's Project",
        K.BY_AND_FOR,
        (C.MIGRANT, C.BLACK_MINORITISED),
        services=(
            ServiceSpec(
                "New Shores Immigration Advice",
                T.LEGAL_IMMIGRATION,
                places=30,
                wait_days=28,
                languages=("fr", "ar", "ti", "so"),
                weeks=(26, 26),
            ),
            ServiceSpec(
                "New Shores Safe House",
                T.REFUGE,
                places=10,
                wait_days=45,
                weeks=(26, 52),
                address="Confidential: 5 Aldous Passage, London E15 1ZP",
            ),
        ),
    ),
    OrgSpec(
        "amani-black-womens-refuge",
        "Amani Black Women's Refuge",
        K.BY_AND_FOR,
        (C.BLACK_MINORITISED,),
        services=(
            ServiceSpec(
                "Amani Refuge",
                T.REFUGE,
                SOUTH,
                places=12,
                wait_days=40,
                weeks=(26, 52),
                address="Confidential: 19 Juniper Rise, London SE15 4YY",
            ),
        ),
    ),
    OrgSpec(
        "hooyo-womens-circle",
        "Hooyo Horn of Africa Women's Circle",
        K.BY_AND_FOR,
        (C.BLACK_MINORITISED,),
        services=(
            ServiceSpec(
                "Hooyo Outreach",
                T.OUTREACH,
                WEST + NORTH,
                places=20,
                wait_days=22,
                languages=("so", "ti", "ar"),
                specialisms=(A.FGM, A.FORCED_MARRIAGE),
            ),
        ),
    ),
)

INDEPENDENT_ADVISORY = OrgSpec(
    IAS_SLUG,
    "Independent Advisory Service",
    K.INDEPENDENT_ADVISORY,
    services=(
        ServiceSpec(
            "Independent Advisory Service: abuse by police officers and staff",
            T.INDEPENDENT_ADVISORY,
            places=40,
            wait_days=3,
            accepts_men=True,
            weeks=(26, 52),
            funder="Home Office",
            specialisms=(A.COERCIVE_CONTROL, A.PHYSICAL, A.SEXUAL, A.STALKING),
        ),
    ),
)

POLICE: tuple[OrgSpec, ...] = (
    OrgSpec("metropolitan-police", "Metropolitan Police Service", K.POLICE),
    OrgSpec("city-of-london-police", "City of London Police", K.POLICE),
    OrgSpec("british-transport-police", "British Transport Police (London)", K.POLICE),
)
HEALTH: tuple[OrgSpec, ...] = (
    OrgSpec("eastfield-general-hospital", "Eastfield General Hospital", K.HEALTH),
    OrgSpec("kingsmead-hospital", "Kingsmead Hospital", K.HEALTH),
    OrgSpec("lea-valley-hospital", "Lea Valley Hospital", K.HEALTH),
    OrgSpec("southbank-primary-care-network", "Southbank Primary Care Network", K.HEALTH),
    OrgSpec("brentside-maternity-unit", "Brentside Maternity Unit", K.HEALTH),
    OrgSpec("hillcrest-mental-health-trust", "Hillcrest Mental Health Trust", K.HEALTH),
)
SOCIAL_CARE: tuple[OrgSpec, ...] = (
    OrgSpec("north-london-childrens-services", "North London Children's Services Partnership", K.SOCIAL_CARE),
    OrgSpec("east-london-childrens-services", "East London Children's Services", K.SOCIAL_CARE),
    OrgSpec("south-london-adult-social-care", "South London Adult Social Care", K.SOCIAL_CARE),
    OrgSpec("west-london-family-services", "West London Family Services", K.SOCIAL_CARE),
)
OTHER_AGENCIES: tuple[OrgSpec, ...] = (
    OrgSpec("london-housing-options", "London Housing Options Service", K.OTHER_AGENCY),
    OrgSpec("greenway-housing-association", "Greenway Housing Association", K.OTHER_AGENCY),
    OrgSpec("riverside-schools-safeguarding", "Riverside Schools Safeguarding Network", K.OTHER_AGENCY),
    OrgSpec("london-probation-partnership", "London Probation Partnership", K.OTHER_AGENCY),
    OrgSpec("citywide-jobcentre-partnership", "Citywide Jobcentre Partnership", K.OTHER_AGENCY),
)
OTHERS: tuple[OrgSpec, ...] = (
    OrgSpec(HUB_SLUG, "London Victim Care Hub", K.HUB),
    OrgSpec(COMMISSIONER_SLUG, MOPAC, K.COMMISSIONER),
)

ORGANISATIONS: tuple[OrgSpec, ...] = (
    *OTHERS,
    INDEPENDENT_ADVISORY,
    *SPECIALISTS,
    *BY_AND_FOR,
    *POLICE,
    *HEALTH,
    *SOCIAL_CARE,
    *OTHER_AGENCIES,
)
PROVIDERS: tuple[OrgSpec, ...] = tuple(o for o in ORGANISATIONS if o.provides_services)
REFERRERS: tuple[OrgSpec, ...] = POLICE + HEALTH + SOCIAL_CARE + OTHER_AGENCIES

# Annual cost of one place (an open case, or a refuge bed) by service type, in pounds: sets contract values.
PLACE_COST_POUNDS: dict[str, int] = {
    T.IDVA: 1_900,
    T.ISVA: 2_100,
    T.HELPLINE: 900,
    T.ADVICE_LINE: 800,
    T.COUNSELLING: 2_400,
    T.REFUGE: 14_000,
    T.OUTREACH: 1_500,
    T.LEGAL_IMMIGRATION: 2_600,
    T.CHILDREN: 2_200,
    T.INDEPENDENT_ADVISORY: 3_000,
}

# Postcode districts by borough, so a survivor's postcode looks like her borough's.
POSTCODE_DISTRICTS: dict[str, tuple[str, ...]] = {
    _CODE["City of London"]: ("EC1A", "EC2V", "EC3A", "EC4M"),
    _CODE["Barking and Dagenham"]: ("IG11", "RM8", "RM9", "RM10"),
    _CODE["Barnet"]: ("N2", "N3", "N11", "N12", "N20", "NW4", "NW7", "NW9", "EN5", "HA8"),
    _CODE["Bexley"]: ("DA5", "DA6", "DA7", "DA14", "DA15", "DA16", "DA17"),
    _CODE["Brent"]: ("NW2", "NW6", "NW10", "HA0", "HA9"),
    _CODE["Bromley"]: ("BR1", "BR2", "BR3", "BR5", "BR6", "BR7", "SE20"),
    _CODE["Camden"]: ("NW1", "NW3", "NW5", "WC1H", "WC1N"),
    _CODE["Croydon"]: ("CR0", "CR2", "CR7", "CR8", "SE19", "SE25"),
    _CODE["Ealing"]: ("W3", "W5", "W7", "W13", "UB1", "UB2", "UB5", "UB6"),
    _CODE["Enfield"]: ("EN1", "EN2", "EN3", "N9", "N13", "N18", "N21"),
    _CODE["Greenwich"]: ("SE2", "SE3", "SE7", "SE9", "SE10", "SE18", "SE28"),
    _CODE["Hackney"]: ("E2", "E5", "E8", "E9", "N1", "N16"),
    _CODE["Hammersmith and Fulham"]: ("W6", "W12", "W14", "SW6"),
    _CODE["Haringey"]: ("N4", "N8", "N10", "N15", "N17", "N22"),
    _CODE["Harrow"]: ("HA1", "HA2", "HA3", "HA5", "HA7"),
    _CODE["Havering"]: ("RM1", "RM2", "RM3", "RM7", "RM11", "RM12", "RM13"),
    _CODE["Hillingdon"]: ("UB3", "UB4", "UB7", "UB8", "UB10", "HA4"),
    _CODE["Hounslow"]: ("TW3", "TW4", "TW5", "TW7", "TW8", "TW13", "W4"),
    _CODE["Islington"]: ("N1", "N5", "N7", "N19", "EC1V"),
    _CODE["Kensington and Chelsea"]: ("W8", "W10", "W11", "SW3", "SW5", "SW7", "SW10"),
    _CODE["Kingston upon Thames"]: ("KT1", "KT2", "KT3", "KT5", "KT6"),
    _CODE["Lambeth"]: ("SE11", "SE24", "SE27", "SW2", "SW4", "SW8", "SW9", "SW16"),
    _CODE["Lewisham"]: ("SE4", "SE6", "SE8", "SE12", "SE13", "SE14", "SE23", "SE26"),
    _CODE["Merton"]: ("SW19", "SW20", "CR4", "SM4"),
    _CODE["Newham"]: ("E6", "E7", "E12", "E13", "E15", "E16"),
    _CODE["Redbridge"]: ("IG1", "IG2", "IG3", "IG4", "IG5", "IG6", "E11", "E18"),
    _CODE["Richmond upon Thames"]: ("TW1", "TW2", "TW9", "TW10", "TW11", "TW12", "SW14"),
    _CODE["Southwark"]: ("SE1", "SE5", "SE15", "SE16", "SE17", "SE21", "SE22"),
    _CODE["Sutton"]: ("SM1", "SM2", "SM3", "SM5", "SM6"),
    _CODE["Tower Hamlets"]: ("E1", "E1W", "E3", "E14"),
    _CODE["Waltham Forest"]: ("E4", "E10", "E11", "E17"),
    _CODE["Wandsworth"]: ("SW11", "SW12", "SW15", "SW17", "SW18"),
    _CODE["Westminster"]: ("W1", "W2", "W9", "SW1", "NW8"),
}


def organisation(slug: str) -> OrgSpec:
    for spec in ORGANISATIONS:
        if spec.slug == slug:
            return spec
    raise KeyError(slug)
