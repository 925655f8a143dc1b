"""The evaluation's questions, each with the evidence that answers it: a phrase that a
right passage contains, and the file it is in (by its stem).

Three kinds, as people ask them: ``keyword`` questions use the passage's own words;
``paraphrase`` questions say the same in other words; ``cross`` questions need
passages from two or three documents. The texts are in ``texts/``, written for this
evaluation (MIT, like the project).
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("keyword", "paraphrase", "cross")


@dataclass(frozen=True)
class Question:
    """A question, its kind, and (document stem, phrase) pairs that answer it."""

    kind: str
    text: str
    evidence: tuple[tuple[str, str], ...]


def _q(kind: str, text: str, *evidence: tuple[str, str]) -> Question:
    return Question(kind, text, evidence)


QUESTIONS = (
    # Keyword questions: the passage's own words.
    _q(
        "keyword",
        "How many days after the egg is laid does a worker bee emerge?",
        ("beekeeping", "twenty-one days after the egg was laid"),
    ),
    _q(
        "keyword",
        "When is oxalic acid used against varroa mites?",
        ("beekeeping", "oxalic acid trickled between the frames"),
    ),
    _q(
        "keyword",
        "What is the character of the Skarven light?",
        ("lighthouses", "skarven shows two white flashes every twenty seconds"),
    ),
    _q(
        "keyword",
        "Which engineer designed the towers of the Northern Lighthouse Board?",
        ("lighthouses", "tobias wren"),
    ),
    _q(
        "keyword",
        "What is the autolyse in sourdough baking?",
        ("sourdough", "this rest, the autolyse"),
    ),
    _q(
        "keyword",
        "What is a banneton?",
        ("sourdough", "a proofing basket of cane or wood pulp"),
    ),
    _q(
        "keyword",
        "Which coagulant does the water treatment works add?",
        ("water_treatment", "aluminium sulphate or ferric sulphate"),
    ),
    _q(
        "keyword",
        "Why is ammonia added to turn chlorine into chloramine?",
        ("water_treatment", "turn the free chlorine into chloramine"),
    ),
    _q(
        "keyword",
        "How do puffins carry sand eels to the puffling?",
        ("seabirds", "carry crosswise in the bill"),
    ),
    _q(
        "keyword",
        "How fast does a gannet hit the water when plunge-diving?",
        ("seabirds", "nearly one hundred kilometres an hour"),
    ),
    _q(
        "keyword",
        "When should a chain be replaced according to a chain checker?",
        ("bicycle", "replace it when it has worn by 0.5 per cent"),
    ),
    _q(
        "keyword",
        "Which way do I turn the barrel adjuster on the rear derailleur?",
        ("bicycle", "turn the barrel adjuster on the rear derailleur anticlockwise"),
    ),
    _q(
        "keyword",
        "How much power does a silicon solar panel lose per degree above twenty-five?",
        ("solar", "loses about zero point four per cent of its power"),
    ),
    _q(
        "keyword",
        "How many charge cycles is a lithium iron phosphate battery rated for?",
        ("solar", "six thousand or more charge cycles"),
    ),
    _q(
        "keyword",
        "How much is the home office allowance at Northwind Traders?",
        ("handbook", "home office allowance of twenty-five pounds a month"),
    ),
    _q(
        "keyword",
        "Who described the Hohmann transfer and when?",
        ("orbits", "described by walter hohmann in 1925"),
    ),
    _q(
        "keyword",
        "At what altitude is the geostationary orbit?",
        ("orbits", "thirty-five thousand seven hundred and eighty-six kilometres"),
    ),
    _q(
        "keyword",
        "How do you control vine weevil grubs in containers?",
        ("gardening", "drench the compost with nematodes"),
    ),
    # Paraphrased questions: the same meaning, other words.
    _q(
        "paraphrase",
        "How can I stop my bees from leaving to found a new home?",
        ("beekeeping", "to prevent swarming, give the queen room"),
    ),
    _q(
        "paraphrase",
        "What should I do if the hive feels too light before the cold months?",
        ("beekeeping", "feed a thick sugar syrup"),
    ),
    _q(
        "paraphrase",
        "Why could the waves not pull apart the stones of the reef tower?",
        ("lighthouses", "dovetailed joints"),
    ),
    _q(
        "paraphrase",
        "How long did the men on the rock go without fresh supplies in the worst winter?",
        ("lighthouses", "fifty-four days without relief"),
    ),
    _q(
        "paraphrase",
        "My bread spreads out flat when I turn it out of the basket; what went wrong?",
        ("sourdough", "a flat loaf that spreads on the paper is usually overproofed"),
    ),
    _q(
        "paraphrase",
        "What is the dark fluid on top of a culture I have not fed for a while?",
        ("sourdough", "it is alcohol from hungry yeast"),
    ),
    _q(
        "paraphrase",
        "Why does tap water sometimes taste of soil at the end of summer?",
        ("water_treatment", "geosmin"),
    ),
    _q(
        "paraphrase",
        "Is what they put in the drinking water harmful to my pet goldfish?",
        ("water_treatment", "toxic to fish and does not evaporate"),
    ),
    _q(
        "paraphrase",
        "Which bird robs others of their catch in mid-air?",
        ("seabirds", "it is a pirate"),
    ),
    _q(
        "paraphrase",
        "How do young ledge-nesting birds reach the ocean before they can fly?",
        ("seabirds", "they jump from the ledges at dusk"),
    ),
    _q(
        "paraphrase",
        "Why does my bike click every time I push down with my foot?",
        ("bicycle", "a creak that follows the pedal stroke"),
    ),
    _q(
        "paraphrase",
        "Will rooftop panels keep the lights on during a blackout?",
        ("solar", "most grid-connected systems shut down in a power cut"),
    ),
    _q(
        "paraphrase",
        "How much time off do new parents get at the company?",
        ("handbook", "birth mothers and primary adopters receive twenty-six weeks"),
    ),
    _q(
        "paraphrase",
        "Who do I call if my work computer goes missing?",
        ("handbook", "report a lost or stolen device to the it service desk"),
    ),
    _q(
        "paraphrase",
        "Why do astronauts float in the station even though the Earth still pulls on them?",
        ("orbits", "feels weightless not because there is no gravity"),
    ),
    _q(
        "paraphrase",
        "How does a capsule close the distance to a station leading it on the same path?",
        ("orbits", "you must slow down"),
    ),
    _q(
        "paraphrase",
        "Which beetle larvae destroy potted plants below the surface in the cold season?",
        ("gardening", "c-shaped grubs eat the roots"),
    ),
    _q(
        "paraphrase",
        "How do I keep my dough from getting gummy after it comes out of the oven?",
        ("sourdough", "let the loaf cool on a rack for at least an hour"),
    ),
    _q(
        "paraphrase",
        "How are fliers kept from crossing paths where people walk near the apiary?",
        ("beekeeping", "flight line of returning foragers"),
    ),
    # Questions whose answer spans documents.
    _q(
        "cross",
        "What is copper used for in lamps, water pipes and flower pots?",
        ("lighthouses", "polished copper reflectors"),
        ("water_treatment", "lead and copper pipes"),
        ("gardening", "band of copper tape"),
    ),
    _q(
        "cross",
        "What needs doing before winter for potted plants, bee colonies and bicycles?",
        ("gardening", "wrap pots in bubble wrap or hessian"),
        ("beekeeping", "feed a thick sugar syrup"),
        ("bicycle", "wash road salt off the bicycle"),
    ),
    _q(
        "cross",
        "How is ultraviolet light used to treat water, and how does sunlight make electricity?",
        ("water_treatment", "ultraviolet reactors"),
        ("solar", "photons knock electrons free"),
    ),
    _q(
        "cross",
        "How often should a bicycle and a beehive be checked?",
        ("bicycle", "the weekly check"),
        ("beekeeping", "an inspection every seven to nine days"),
    ),
    _q(
        "cross",
        "How do wasps and great skuas steal food from others?",
        ("beekeeping", "wasps rob weak colonies"),
        ("seabirds", "it is a pirate"),
    ),
    _q(
        "cross",
        "What temperature suits sourdough bulk fermentation, and what do bees keep their "
        "winter cluster at?",
        ("sourdough", "bulk fermentation at twenty-four degrees"),
        ("beekeeping", "keeps its centre at around thirty-three degrees"),
    ),
    _q(
        "cross",
        "What sick pay and pensions did lighthouse keepers and Northwind employees get?",
        ("lighthouses", "pension after thirty years of service"),
        ("handbook", "full salary for up to ten working days of sickness"),
    ),
    _q(
        "cross",
        "How are rats removed from seabird islands and pigeons kept out from under solar panels?",
        ("seabirds", "removing rats from islands"),
        ("solar", "mesh guards around the edge of the array"),
    ),
    _q(
        "cross",
        "What are the signs of contamination in a sourdough starter and on disc brake pads?",
        ("sourdough", "pink or orange streaks"),
        ("bicycle", "a contaminated pad squeals"),
    ),
    _q(
        "cross",
        "How much weight do solar panels add to a roof and wet compost to a balcony?",
        ("solar", "fifteen kilograms per square metre"),
        ("gardening", "wet compost weighs about a kilogram per litre"),
    ),
    _q(
        "cross",
        "How do gannets survive hitting the water and how did the lighthouse lens float?",
        ("seabirds", "air sacs under the skin"),
        ("lighthouses", "bath of mercury"),
    ),
    _q(
        "cross",
        "How long do orbit debris rules give satellites, and how long are solar panels guaranteed?",
        ("orbits", "within five years of the end of their mission"),
        ("solar", "eighty to ninety per cent of their output for twenty-five years"),
    ),
)
