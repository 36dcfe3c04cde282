"""Training words: real English words, so rendered words have the letter mix,
case patterns and line metrics of text in the wild.

Benchmarks and end-to-end tests must use *other* texts (see bench/make_testsets.py).
"""

from __future__ import annotations

import numpy as np

TRAIN_WORDS = tuple(
    """
    about above across action after again against agency almost along already also always
    among animal answer anyone appear apply area argue around arrive article artist attack
    baby back bank beautiful because become before begin behind believe benefit better
    beyond black blood board body book born both break bring brother budget build
    business call camera campaign cancer capital career carry catch cause center central
    century chair chance change charge check child choice church citizen civil claim class
    clear coach cold collect college color common company compare complex concern condition
    congress consider contain control cover create crime culture current customer dark data
    daughter dead deal death debate decade decide deep defense degree design despite detail
    develop dinner direct doctor dream drive drop during early economy edge effect effort
    eight either election employee energy enjoy enough enter entire environment equal
    evening event every evidence exactly example expect expert explain eye face factor
    family father fear federal feeling field fight figure final finger fire first fish
    five floor focus follow food foot force foreign forget form forward four free friend
    front full future game garden general generation girl give glass goal good government
    great green ground group grow growth guess gun guy hair half hand hang happen happy
    hard have head health hear heart heat heavy help herself high himself history hold home
    hope hospital hotel hour house however huge human hundred husband idea identify image
    imagine impact improve include increase indeed industry inside instead interest
    interview into investment issue itself job join just justice keep key kid kill kind
    kitchen knowledge land language large later laugh lawyer lead leader learn least leave
    left legal less letter level life light likely line list listen little live local long
    look lose loss love machine magazine major majority make manage market marriage matter
    maybe measure media medical meeting member memory mention message method middle might
    military million mind minute miss mission model modern moment money month morning
    mother mouth move movie music myself name nation natural nature near nearly necessary
    need network never news newspaper next nice night none north note nothing notice number
    object obviously occur office officer official often oil okay once only open operation
    opportunity option order organization other outside owner page pain painting paper
    parent part particular partner party pass past patient pattern pay peace people perform
    perhaps period person phone physical pick picture piece place plan plant player please
    point police policy political poor popular population position positive possible power
    practice prepare present president pressure pretty prevent price private probably
    problem process produce product program project property protect prove provide public
    pull purpose push quality question quickly quite quiet quote quiz queen quarter quick
    quilt equip equity square squeeze unique request require race radio raise range rate
    rather reach ready real reality reason receive recent record reduce reflect region
    relate remain remember remove report represent republic research resource respond
    result return reveal rich right rise risk road rock role room rule safe same save scene
    school science score season seat second section security seek seem sell send senior
    sense series serious serve service seven several shake share shoot short shoulder show
    side sign significant similar simple simply since sing single sister sit site size
    skill skin small smile social society soldier some son song soon sort sound source
    south space speak special specific speech spend sport spring staff stage stand star
    start state station stay step still stock stop store story strategy street strong
    structure student study stuff style subject success suddenly suffer suggest summer
    support sure surface system table take talk task teach teacher team technology
    television tell tend term test thank theory thing think third those though thought
    thousand threat three through throw thus today together tonight total tough toward
    town trade traditional training travel treat treatment tree trial trip trouble true
    truth type under understand unit until usually value various very victim view violence
    visit voice vote wait walk wall want watch water wave weapon wear week weight well
    west western whatever wheel where whether which while white whole whose wide wife
    will win wind window wish with within without woman wonder word work worker world
    worry would write writer wrong yard yeah year yellow yes yet young yourself youth
    zebra zero zone zoo zinc zigzag jazz jacket jewel joke journey judge juice jump jungle
    junior juxtapose jolly object subject major enjoy adjust inject reject project majesty
    box tax fix mix next six text exit extra exact expand oxygen galaxy luxury complex
    wax fox lynx sphinx buzz fizz dozen frozen lazy crazy size prize quiz
    """.split()
)


def word_for(char: str, rng: np.random.Generator) -> str:
    """A realistic word containing ``char`` (digits get number-like strings)."""
    if char.isdigit():
        n = int(rng.integers(1, 4))
        digits = "".join(str(d) for d in rng.integers(0, 10, size=n))
        forms = (char + digits, digits + char, "19" + char + digits[:1], char)
        return forms[int(rng.integers(0, len(forms)))]
    low = char.lower()
    pool = [w for w in TRAIN_WORDS if low in w]
    if not pool:
        return char
    word = pool[int(rng.integers(0, len(pool)))]
    if char.isupper():
        if word.startswith(low) and rng.random() < 0.6:
            return word.capitalize()
        return word.upper()
    if rng.random() < 0.2 and char in word.capitalize():
        return word.capitalize()
    return word
