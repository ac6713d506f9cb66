"""Seeded permit words that readers of every language see (English, from seeds/), here so that pybabel puts them in the catalogues; Japanese pages read the triggers from it too, the seed having them in English only (tests/permits/test_vocabulary.py keeps this in step with the seed)."""

from __future__ import annotations


def N_(text: str) -> str:
    """Marks seeded text for the catalogue (pybabel extracts N_); the text is looked up when shown."""
    return text


# seeds/permit_types.csv name_en
PERMIT_TYPE_NAMES = (
    N_("Road use permit (police)"),
    N_("Road occupancy permit (road administrator)"),
    N_("Urban park filming permit"),
    N_("River area temporary-use notice / river occupancy permit"),
    N_("Natural park activity permit/notice"),
    N_("Drone flight permission/approval (MLIT)"),
    N_("Drone notice near key facilities"),
    N_("Notice of smoke/flame effects (fire dept)"),
    N_("Approval to lift prohibited acts (open flame/smoking/hazmat in designated places)"),
    N_("Notice of event/screening outside theatres"),
    N_("Temporary storage/handling of hazardous materials"),
    N_("Pyrotechnics/explosives consumption permit"),
    N_("Harbour work/event permit (harbour master)"),
    N_("Port authority filming notice"),
    N_("National forest entry/use"),
    N_("Filming at cultural properties"),
    N_("Railway operator filming permission"),
    N_("Public facility / school use permit"),
    N_("Private property filming agreement"),
    N_("Police uniforms / replica emergency vehicles"),
    N_("Prop guns / gunfire sound notice"),
    N_("Night shooting / noise - neighbour notice"),
)

# seeds/permit_types.csv triggers (when a permit applies)
TRIGGERS = (
    N_(
        "filming on public roads/sidewalks; tripods or equipment on sidewalk; crew/picture vehicles stopping or parked in traffic; traffic control or road closure; driving scenes with picture cars; extras/crowd gathering on road; lighting aimed at road; public-access private roads/plazas"
    ),
    N_(
        "placing objects/structures on the road itself beyond transient use: set pieces, scaffolding, camera cranes/rails, cables across carriageway, tents, generators, signage; municipal roads/cycling paths may use a lighter 道路一時使用願"
    ),
    N_(
        "commercial filming/photography in parks; partial exclusive use; bringing vehicles, generators, tents, cranes; drones (often prohibited in parks)"
    ),
    N_(
        "filming on riverbeds/levees/cycling paths in river areas with crews; temporary simple equipment (notice); structures or exclusive use (permit); drones over rivers (public-interest only at some offices)"
    ),
    N_(
        "sets or temporary structures, vegetation damage, entering restricted zones, vehicles off designated roads inside national/quasi-national/prefectural natural parks; drone flights need prior contact with park office"
    ),
    N_(
        "drone flights over DID (densely inhabited districts), near airports, ≥150m, at night, beyond visual line of sight, within 30m of people/property, over events, dropping objects"
    ),
    N_(
        "drone flights within ~300m of designated facilities (Diet, PM office, Imperial Palace, embassies, defence facilities, designated airports, nuclear plants) with consent of facility manager/landowner"
    ),
    N_(
        "smoke machines/smoke bombs outdoors, fire or burning scenes, bonfires, flame effects that could be mistaken for a real fire"
    ),
    N_(
        "open flame, smoking, pyrotechnics or hazardous items on stages/in auditoriums, halls, stations, department stores and other designated places"
    ),
    N_("large audience events, public screenings or mass-extra scenes held in buildings that are not theatres"),
    N_(
        "storing/handling fuel (e.g. gasoline for generators/picture cars) at or above the designated quantity on location"
    ),
    N_(
        "explosion effects, squibs, blank-firing or pyrotechnics above exempt quantities (e.g. Chiba page: ≤15g items up to 50 pcs exempt); also notify police and fire dept even when exempt (Tochigi rule)"
    ),
    N_(
        "filming on water, boats or floating sets inside specified ports (特定港) or near traffic routes; water events; drone flights affecting navigation"
    ),
    N_("filming on wharves/terminals/port facilities, entering SOLAS restricted areas, drones in port areas"),
    N_("entering national forest with crew or vehicles, using forest roads, placing equipment or sets"),
    N_(
        "filming at/inside designated cultural properties, shrines/temples; fixing equipment, set dressing, lighting heat, fire/smoke effects, drones over sites; any alteration requires 現状変更等許可"
    ),
    N_("filming in stations, platforms, trains; chartered trains; tracks or level crossings"),
    N_("filming in city halls, schools (incl. closed schools), libraries, halls, museums"),
    N_("filming on private land, shops, homes, commercial facilities"),
    N_("actors in police uniforms in public; replica patrol cars/ambulances on public roads; red lights/sirens"),
    N_("prop guns visible in public, gunfire sound effects, blank firing"),
    N_("night shooting with generators/lighting, loud effects, large crowds in residential areas"),
)

# seeds/authority_kinds.csv name_en
AUTHORITY_KINDS = (
    N_("Police station"),
    N_("Road administrator"),
    N_("Park administrator"),
    N_("River administrator"),
    N_("Ministry of the Environment (or prefecture)"),
    N_("MLIT Civil Aviation Bureau"),
    N_("Fire department"),
    N_("Prefectural governor (or delegated municipality)"),
    N_("Harbour master (Japan Coast Guard office)"),
    N_("Port administrator"),
    N_("Forestry Agency district forest office"),
    N_("Owner or manager of the property, and the Agency for Cultural Affairs"),
    N_("Railway operator"),
    N_("Facility manager (municipality)"),
    N_("Private owner"),
    N_("Municipality (or none)"),
    N_("Prefectural police headquarters"),
)

# seeds/activities.csv name_en
ACTIVITY_NAMES = (
    N_("Filming on public roads"),
    N_("Stopped or parked vehicles"),
    N_("Road closure or traffic control"),
    N_("Equipment on the road"),
    N_("Picture-car driving scenes"),
    N_("Drone filming"),
    N_("Drone near a designated key facility"),
    N_("Smoke or flame effects"),
    N_("Open flame indoors or in designated places"),
    N_("Explosions, squibs and blanks"),
    N_("Prop guns"),
    N_("Police uniforms and replica police vehicles"),
    N_("Night shooting"),
    N_("Crowd or extras scenes"),
    N_("Generator fuel"),
    N_("Filming on water or from boats"),
    N_("Filming at cultural properties"),
    N_("Filming in urban parks"),
    N_("Filming in natural parks"),
    N_("Filming in national forests"),
    N_("Filming in river areas"),
    N_("Filming at port facilities"),
    N_("Filming on railways"),
    N_("Filming in public facilities"),
    N_("Filming on private property"),
)

# seeds/activity_permits.csv condition_en
CONDITIONS = (
    N_("on a public road"),
    N_("objects placed on the road"),
    N_(
        "objects placed on the road beyond transient use (sets, scaffolding, cranes, rails, cables across the carriageway, tents, generators)"
    ),
    N_("only if replica police or emergency vehicles are used"),
    N_(
        "over a DID (densely inhabited district), near an airport, at 150 m or higher, at night, beyond visual line of sight, within 30 m of people or property, over an event, or dropping objects"
    ),
    N_("flying in a park (often prohibited)"),
    N_("flying over a river area"),
    N_("flying in a natural park (contact the park office beforehand)"),
    N_("flying in a port area"),
    N_("if the flight may affect shipping in a port"),
    N_("flying over a cultural property site"),
    N_("indoors or in a designated place"),
    N_("above the exempt quantities (police and fire notice may still be expected when exempt)"),
    N_("with blank firing or gunfire sounds"),
    N_("if it produces smoke or flame that could be mistaken for a fire"),
    N_("replica police vehicles used on a public road"),
    N_("lighting aimed at a road (must not dazzle drivers)"),
    N_("on a road"),
    N_("in a park"),
    N_("in a building that is not a theatre, large audience"),
    N_("large crowd in a residential area"),
    N_("fuel at or above the designated quantity"),
    N_("inside a specified port (特定港) or near a traffic route"),
    N_("on a river"),
    N_(
        "sets or temporary structures, damage to vegetation, entry into restricted zones, or vehicles off designated roads"
    ),
    N_("filming on the water"),
    N_("if the shoot spills onto a road"),
)
