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
    N_("National forest entry permit (入林許可)"),
    N_("Small-quantity hazardous material notice (fuel)"),
    N_("Coast occupancy or works permit (Coast Act)"),
    N_("Drone flight permission near airports, at 150 m or higher, or in emergency airspace"),
    N_("Filming on an expressway"),
    N_("Fishing port use permit"),
    N_("Filming on airport premises"),
    N_("Fireworks launch or set-piece notice (fire ordinance)"),
    N_("Aviation Act 99-2 notice or permission (fireworks, balloons near airports)"),
    N_("Strong lights near a port (Port Regulations Act 36)"),
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
    N_("Board of education (cultural properties)"),
    N_("Coast administrator (prefecture, or a designated city or port/fishing-port administrator)"),
    N_("MLIT airport office (Tokyo or Kansai)"),
    N_("Expressway traffic police unit"),
    N_("Fishing-port administrator (municipality or prefecture)"),
    N_("Airport administrator"),
    N_("Japan Coast Guard office"),
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
    N_("Filming on a beach or coast"),
    N_("Filming in a fishing port"),
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
    N_("over a DID, at night, beyond visual line of sight, within 30 m of people or property, over an event, carrying dangerous goods or dropping objects"),
    N_("a public event or screening with an audience in a building that is not a theatre"),
    N_("gasoline 200 L or more, or diesel or kerosene 1,000 L or more (at most 10 days)"),
    N_("in a port under the Port Regulations Act, or near a traffic route in Tokyo Bay, Ise Bay or the Seto Inland Sea"),
    N_("gasoline 40–199 L, or diesel or kerosene 200–999 L on site"),
    N_("near an airport, at 150 m or more, or in emergency airspace"),
    N_("flying over a national forest"),
    N_("launching or setting fireworks"),
    N_("fireworks or balloons near an airport or in controlled airspace"),
    N_("strong lights aimed at a port or the sea"),
    N_("open flame, smoke or candles at an important cultural property"),
    N_("sets or structures, digging or filling the beach, or vehicles on it"),
)

# seeds/permit_questions.csv text_en (the planner's questions)
QUESTION_TEXTS = (
    N_("Will the drone fly over a densely inhabited district (DID)?"),
    N_("Will the drone fly near an airport or heliport (inside its restricted surfaces)?"),
    N_("Will the drone fly 150 m or more above the ground or water?"),
    N_("Will the drone fly in an emergency-use airspace (declared for disasters; check DIPS before flying)?"),
    N_("Will the drone fly at night (after sunset or before sunrise)?"),
    N_("Will the drone fly beyond the pilot's visual line of sight?"),
    N_("Will the drone fly within 30 m of people or property (cars or buildings) not part of the crew?"),
    N_("Will the drone fly over an event where people gather?"),
    N_("Will the drone drop anything, or carry dangerous goods (e.g. effect fuel)?"),
    N_("Is the place inside a city or prefectural park?"),
    N_("Is the place inside a national, quasi-national or prefectural natural park?"),
    N_("Will the shoot build sets or structures, damage plants, enter closed areas, drive off the roads, light fires or pile up material?"),
    N_("Is the place in a river area (the river, its banks or levees)?"),
    N_("Is the place inside a port area (its water, quays or public open space)?"),
    N_("Will boats, the drone or work on the water affect ship traffic in a port or on a traffic route?"),
    N_("Is the place (or the flight area) inside a national forest?"),
    N_("Is the place, or the building, a designated or registered cultural property?"),
    N_("Will the shoot alter the property or affect its preservation (fixing things, sets, smoke, fire, a drone over it)?"),
    N_("Will there be open flame, smoke or candles in or around an important cultural property?"),
    N_("Is it on a public road (sidewalks and private roads open to traffic included)?"),
    N_("Will objects stay on the road beyond transient use (sets, cranes, rails, cables across the carriageway, tents, generators)?"),
    N_("Will replica police cars or other emergency vehicles be used?"),
    N_("Will lights be aimed at a road?"),
    N_("Will a large crowd gather in a residential area?"),
    N_("Is it a public event or screening with an audience in a building that is not a theatre?"),
    N_("Is it indoors, or a designated place (stage, studio, hall, station or airport, department store, underground mall, car park, important cultural property, building of 100 m or more)?"),
    N_("Will the smoke or flame look like a fire from outside?"),
    N_("Will the pyrotechnics exceed the exempt quantities for film and stage effects (施行規則第49条)?"),
    N_("Will fireworks be launched or set off as set pieces?"),
    N_("Will there be blank firing or gunshot sounds?"),
    N_("Will strong lights be aimed at a port or the sea at night?"),
    N_("How many litres of gasoline (petrol) will be kept at the site at once?"),
    N_("How many litres of diesel or kerosene will be kept at the site at once?"),
    N_("Will the set dig or fill the beach, put up structures, or bring vehicles onto it?"),
    N_("Will fireworks or balloons go up near an airport or in controlled airspace?"),
)

# seeds/guideline_steps.csv title_en and description_en (the guideline page)
GUIDELINE_TEXTS = (
    N_("Plan the shoot and consult the FC"),
    N_("Producer (for foreign works the overseas producer commissions a Japanese producer/line producer) drafts the plan, scenes, schedule and scale, and contacts the regional FC (or JFC for foreign/multi-region works) early."),
    N_("Provide location information as one-stop contact"),
    N_("FC answers enquiries, proposes candidate locations from its database/JLDB, explains local conditions and which permits are likely to be needed; JFC acts as national window for overseas productions and multi-region shoots."),
    N_("(No role shown at this stage)"),
    N_("The guideline's general flow (Fig. 2) shows no task for the permit authority at this stage."),
    N_("Location scouting"),
    N_("Producer visits candidate sites at the same time/day conditions as the planned shoot; checks traffic, residents, power, parking, safety."),
    N_("Accompany scouting and introduce owners/managers"),
    N_("FC accompanies scouts, introduces facility managers, landowners, shrines/temples, local associations and negotiates use on the producer's behalf."),
    N_("Pre-application consultation with permit authorities"),
    N_("Producer consults police (road use), road/park/river/port administrators, fire department, cultural-property owners early with a concrete plan, layout and alternatives."),
    N_("Explain required permits and coordinate with agencies"),
    N_("FC identifies which permits/notices apply, shares contacts and know-how collected from past shoots, and may attend consultations; FC strengthens cooperation with police, fire and facility managers (Ch.3-1 関係機関との協力体制の強化)."),
    N_("Give constructive advice at pre-consultation"),
    N_("Permit authority approaches filming as socially valuable and 'thinks together' with the applicant: e.g. police suggest alternative places or times that reduce traffic impact instead of simply refusing."),
    N_("Submit applications"),
    N_("Producer files each application with required documents (application form, map, layout drawing, plan/script extract, schedule, safety/guard plan) within each authority's lead time."),
    N_("Support application procedures"),
    N_("FC helps prepare documents, explains local forms and timelines; some FCs (e.g. Nagoya) also file applications on the producer's behalf."),
    N_("Review and grant with proportionate conditions"),
    N_("Authority reviews promptly and grants the permit with conditions needed for safety/traffic (e.g. guards, time limits, sidewalk-only), coordinating with other authorities where needed (road use ↔ road occupancy)."),
    N_("Notify residents and stakeholders"),
    N_("Producer distributes notices, explains noise/lighting/night work, sets up a contact point, and obtains consent of neighbours affected."),
    N_("Build local understanding"),
    N_("FC asks residents, shopping streets and local bodies for cooperation, recruits volunteer extras and explains the public value of the shoot."),
    N_("Comply with permit conditions and manage safety"),
    N_("Producer keeps the permit on site, follows conditions, deploys guards/traffic marshals, insurance in place, reports accidents immediately to police/fire/managers."),
    N_("On-site attendance and troubleshooting"),
    N_("FC attends the shoot where possible, liaises with residents and facility managers, and handles issues as they arise."),
    N_("Site checks as needed"),
    N_("Authority checks compliance on site where necessary and responds flexibly to minor changes (weather, schedule)."),
    N_("Restore, clean up, report and handle complaints"),
    N_("Producer restores the site, removes waste, confirms with the attending person, compensates damage and answers complaints."),
    N_("Follow-up and record support results"),
    N_("FC follows up with residents and managers, records the case (economic effect, lessons) and shares good practice with other FCs (block-level FC cooperation)."),
    N_("Credits and location information for promotion"),
    N_("Producer credits the FC/locations and agrees use of stills for promotion (e.g. rights-clearance memo as done by Nagasaki FC)."),
    N_("Film-tourism promotion"),
    N_("FC produces location maps, screenings and tourism campaigns around the released work."),
)
