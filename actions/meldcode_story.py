"""What a story told in free text already answers in the meldcode route. Pure: no Rasa imports.

Staff tell stories, not answers: "signalen zijn vastgelegd, besproken met de IB",
"oudergesprek gehad, moeder werd boos", "ja, we hebben een vermoeden", "niet acuut, niet
structureel", "de SMW kan het wijkteam inschakelen, moeder wil dat graag". `read_story`
turns such text into answers to the route's questions (meldcode_route.STEP_QUESTIONS and
afweging 1-5), so the route asks only what is still open, and `understood` says in one
message what was read ("Ik begrijp: … Klopt iets niet? Zeg het.").

Only what the text says counts, never a guess: a fact is read from words that state it
("besproken met de IB"), with its polarity ("nog niet besproken", "geen vermoeden") and doubt
("ik twijfel of het acuut is"). Three implications are made, because the story states them:
a parent conversation that took place could take place (s3_veilig ja, s3_vertrek nee), help
that was accepted or evaluated was help that could be offered (afweging 3 ja), and help that
took place or was evaluated was accepted (afweging 4 ja). With what
the route already knows, `implied` adds one more: help evaluated after its term (afweging 5)
followed a suspicion (afweging 1 ja), when afweging 1 is still open; and an implication never
overturns an answer the route already has (help accepted after "no help possible"). No worries
left after help that reached its goals is the result of that help (afweging 5), not afweging 1;
a goal set with the term ("dan zou hij rustiger moeten zijn") and advice on what to do ("het
advies was om hulp aan te bieden") state no result and no help.

Doubt is never read as "nee" (the same rule as meldcode_logic): it goes to the cautious branch.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from .personal_data import dutch_words

JA, NEE, TWIJFEL = "ja", "nee", "twijfel"
RECORDED_TEXT = "(vastgelegd in het dossier, volgens de gebruiker)"

_NEGATION = re.compile(r"\b(niet|geen|nooit|niks|niets|not|no|nothing|zonder|niemand|nee|neen|never|"
                       r"don'?t|doesn'?t|didn'?t|isn'?t|wasn'?t|aren'?t|weren'?t)\b")
_POSITIVE = re.compile(r"\b(wel|toch|zeker wel|juist)\b")
_DOUBT = re.compile(r"\b(twijfel\w*|twijfle\w*|twijvel\w*|idk|(ik|we|wij) (weet|weten) (\w+ ){0,2}niet (of|zeker)|weet (ik|we) (\w+ ){0,3}niet|(don'?t|do not|really don'?t) know|(weet|weten) (ik|we|wij|ze|hij) (het |dat )?(echt |nog |eigenlijk |nou )?niet|"
                    r"niet zeker|onzeker|geen idee|(ik|we|wij) (weet|weten) het (\w+ ){0,2}niet|(ik|we|wij) (durf|durven) (het )?(\w+ )?niet te (zeggen|beoordelen|inschatten)|"
                    r"(moeilijk|lastig) te zeggen|(het )?kan (\w+ )?ook (iets )?(meer|anders|ergers|erger|ernstiger) zijn|daar (heb|hebben) (ik|we|wij) (\w+ )?geen (goed |echt )?zicht op|(wat|dat) (ik|we|wij) (echt |nog )?niet (weet|weten)|not sure|(ik|we|wij) (weet|weten) het (echt |eigenlijk |gewoon |nou )?niet|(ik|we|wij) (weet|weten) (het |dat )?(echt |nog |eigenlijk |nou |gewoon )?niet (of|zeker)|durf (ik|we|wij) niet te zeggen|(komen|kom) (we|wij|ik) (\w+ ){0,4}niet uit|doubt\w*|weet niet of|vraag me af|can'?t tell|"
                    r"cannot tell|no idea|kan (het |er )?(niet|geen vinger) \w*|(kan|kunnen|kun) (het |er |dat )?(echt |goed )?niet "
                    r"(inschatten|zeggen|beoordelen|plaatsen)|niet in te schatten|lastig in te schatten|"
                    r"(kan|kun|kunnen) (ik|we|wij|je) (het |dat |dit )?(echt |goed )?niet (goed )?(inschatten|zeggen|beoordelen|plaatsen))\b")
# Flemish and app spellings of the negation; "akuut" for "acuut" (too short for the typo reading).
_SPELLING = ((re.compile(r"\b(ni|nie|nt)\b"), "niet"), (re.compile(r"\b(gn|gene|genen)\b"), "geen"),
             (re.compile(r"\bak(uut|ute)\b"), r"ac\1"))
# "maar" as "but" ends a clause; as "just" ("het komt maar terug", "het blijft maar terugkomen",
# "nog maar kort") it does not.
_CLAUSE = re.compile(r"(?<=[.;!?\n])\s*|,\s+(?=maar\b)|(?<!nog)(?<!pas)\s+maar\s+"
                     r"(?!(terug\w*|weer|door|doorgaan|gebeuren|steeds|even|kort|raak|liefst)\b)|\s+but\s+")
_SUB_CLAUSE = re.compile(r"[,;:(]|\s(want|omdat|doordat|dus|terwijl|zodat|hoewel|maar|en ook|en het|en dat|als)\s")
_ANSWERED = re.compile(r"^(ja|jawel|nee|neen|niet|twijfel|klopt|yes|no)\b")
_ANSWER_WORDS = {"yes": "ja", "no": "nee"}
# "is dit nou structureel onveilig? daar komen we niet uit", "of ze meedoen? weet ik niet"
_ANSWERED_DOUBT = re.compile(r"^(weet (ik|we) (het )?niet|(ik|we|wij) (weet|weten) (het |dat )?(\w+ ){0,2}niet|geen idee|(i|we) (\w+ )?(don'?t|do not) know|daar komen (we|wij) (\w+ ){0,4}niet uit|"
                             r"(we|wij|ik) twijfel\w*|twijfel\w*|moeilijk te zeggen|lastig)\b")
# "(dus) of ze die hulp aanneemt... weet ik niet": an indirect question the next sentence doubts.
_INDIRECT = re.compile(r"^((dus|maar|en|so|but) )?(of|whether|if) ")
# A question states nothing: "moet ik eerst met de ouders praten?", "wat is structurele onveiligheid?"
# "Wat we niet weten is …" (the subject right after the word) states something.
_QUESTION = re.compile(r"\?\s*$|^(?!(wie|wat|wanneer|waarom|waar|hoe|welke|welk) (ik|we|wij|ze|zij|hij)\b)(wie|wat|wanneer|waarom|waar|hoe|welke|welk|mag|moet|moeten|kan|kun|kunnen|"
                       r"is het|is dat|zijn er|heb ik|hebben we|valt|geldt|wat als|stel dat|indien|wanneer|"
                       r"als(?! (school|team|ib|ib'er|leerkracht|juf|meester|directie|directeur|zorgteam|smw)\b))\b")

IB_ROLE = (r"(ib|ib'?er|ib-er|ibr|ib'ers|intern(e)? begeleider|zorgco[oö]rdinator|zorgcoordinator|"
           r"zorgteam|mdo|zorgoverleg|aandachtsfunctionaris|zorgjuf|zorgleerkracht|zorgmeester|"
           r"interventieteam)")
ME_IB = re.compile(rf"\b(ik ben|als|vanuit mijn rol als|ik, als)\s+(zelf )?(de |het )?(zelf )?{IB_ROLE}\b|\b{IB_ROLE} hier\b")
IB_TALK = re.compile(
    rf"\b{IB_ROLE}\b.{{0,60}}?\b(besproken|bespreken|overlegd|overleg|gesproken|weet|weten|hoogte|ingelicht|"
    r"gewogen|betrokken|gebeld|gebabbeld|gemeld|verteld|sparren|gespard|samen|erbij|mee eens|vindt|vond|"
    r"denkt|dacht|zegt|zei|casushouder|knows|informed|discussed|involved)\b"
    rf"|\b(besproken|overlegd|gesproken|gebabbeld|ingelicht|gemeld|discussed|informed|verteld)\b.{{0,40}}\b{IB_ROLE}\b"
    rf"|\b(volgens|met|samen met|en|van) (de |het |onze |mijn )?{IB_ROLE}\b"
)
RECORDED = re.compile(
    r"\b(vastgelegd|vast gelegd|opgeschreven|genoteerd|gedocumenteerd|documented|written down|bijgehouden|"
    r"geregistreerd|in (het |zijn |haar )?(dossier|lvs|leerlingdossier|parnassys|esis|leerlingvolgsysteem|"
    r"logboek|digitaal dossier)|alles (staat )?(op papier|genoteerd|opgeschreven))\b"
)
VT = r"(veilig thuis|veiligthuis|vt|amk|vertrouwensarts)"
VT_ADVICE = re.compile(
    rf"\b{VT}\b.{{0,40}}\b(advies|geadviseerd|gebeld|overlegd|overleg|gesproken|contact|geraadpleegd|consult|raadgevingen|advice)\b"
    rf"|\b(advies|gebeld|overlegd|contact|geraadpleegd)\b.{{0,30}}\b{VT}\b"
)
PARENT = (r"(ouders?|moeder|vader|mama|papa|mam|pap|ma|pa|stiefvader|stiefmoeder|mama's|papa's|beide ouders|de ouder|"
          r"parents?|mother|father|mom|mum|mummy|dad)")
PARENT_TALK = re.compile(
    rf"\b(oudergesprek\w*|gesprek(ken)? (geweest |gehad |gevoerd )?met (de |beide |zijn |haar )?{PARENT})\b"
    rf"|\b(met|bij) (de |beide |allebei de |zijn |haar )?{PARENT}\b.{{0,25}}\b(gesproken|gepraat|besproken|gebabbeld|"
    r"een gesprek|gesprek gehad|gesprek gevoerd|om tafel|gezeten)\b"
    rf"|\b(met|bij) (de |beide |allebei de |zijn |haar )?{PARENT}\b.{{0,50}}\bgesprekken (gehad|gevoerd|geweest)\b"
    rf"|\b(in|tijdens) (het|ons|dat) (\w+)?gesprek\b.{{0,50}}\b(vertelde|vertelden|zei|zeiden|gaf|gaven|erkende|erkenden) (de )?{PARENT}\b"
    rf"|\b{PARENT}\b.{{0,25}}\b(gesproken|uitgenodigd|op gesprek|aan tafel|om tafel|zijn geweest|geweest|"
    r"kwam(en)?|erkent|erkennen|ontkent|ontkennen|reageerde|reageerden|werd boos|werden boos|zei|zeiden|gaf aan|"
    r"gaven aan|vertelde|vertelden)\b"
    r"|\b(talked|spoke) (to|with) (the )?(parents?|mother|father|mom|dad)\b"
)
# A parent who did not come: said of one parent beside a conversation with the other, it was held.
PARENT_ABSENT = re.compile(r"\b(kwam|kwamen|komt|komen|opdagen|verscheen|verschenen|geweest)\b")
PARENT_TALK_UNSAFE = re.compile(
    rf"\b(gesprek|praten|oudergesprek)\b.{{0,40}}\b(niet veilig|onveilig|te gevaarlijk|gevaarlijk)\b"
    rf"|\b(niet veilig|onveilig|gevaarlijk)\b.{{0,30}}\b(gesprek|praten|met (de )?{PARENT})\b"
)
FAMILY_LEAVES = re.compile(
    r"\b(vertrekt|vertrekken|verhuist|verhuizen|verhuizing|school verlaten|school verlaat|contact verbreken|"
    r"contact verbreekt|van school (af )?halen|naar het buitenland|onderduiken|met de noorderzon)\b"
)
# "adviseert dringend een arts", "dringend verzoek": urging, not danger.
ACUTE = re.compile(r"\b(acuut|acute|acuuts|acuut onveilig|acute onveiligheid|((direct|acuut|echt|groot) )?gevaar|(nu |direct )?in gevaar|"
                   r"urgent|(immediate )?danger|(?<!advies )(?<!adviseert )(?<!adviseren )(?<!adviseerde )(?<!raadt )(?<!raden )"
                   r"(?<!vraagt )(?<!vragen )(?<!vroeg )dringend(?! (advies|verzoek|geadviseerd|aangeraden|gevraagd))|noodgeval|spoedgeval|emergency)\b")
# "er is niks wat nu meteen moet", "maak me voor vandaag niet direct zorgen": no acute danger in
# everyday words. Read only as a denial: "we moeten nu eerst …" is no statement of danger.
NOT_URGENT = re.compile(r"\b(nu|vandaag|meteen|direct|onmiddellijk)( (?!dat\b|of\b|als\b)[\w']+){0,3} "
                        r"(moet|moeten|moest|hoeven|hoeft|gebeuren|ingrijpen|ingegrepen|handelen)\b"
                        r"|\b(direct|meteen|acuut) (zorgen|ingrijpen)\b|\b(hoeft|hoeven) (er )?(vandaag|nu|meteen|direct) (\w+ )?(te )?gebeuren\b"
                        r"|\b(vandaag|vanavond|vannacht|morgen|straks)( [\w']+){0,4} (iets ergs|ergs|misgaat|mis gaat|bijzonders|nieuws|"
                        r"iets gebeurt|iets gebeuren|iets voorvalt)\b")
# Unsafety in the protocol's own word, without "acuut" or "structureel" ("onveilig vinden we het
# niet", "we don't think he is unsafe"): a statement about both at once.
UNSAFE = re.compile(r"\b(onveilig\w*|unsafe)\b")
# Danger denied without a word for "now" ("ik denk niet dat ze gevaar loopt", "niks gevaarlijks")
# denies both too; with one ("gevaar is er nu niet") only acute danger.
BARE_DANGER = re.compile(r"\b(gevaar|gevaarlijk\w*|danger|dangerous)\b")
NOW = re.compile(r"\b(acuut|acute|direct|directe|nu|meteen|vandaag|vanmiddag|vanavond|vannacht|moment|"
                 r"onmiddellijk\w*|immediate|immediately|now|today|tonight)\b")
STRUCTURAL = re.compile(r"\b(structureel|structurele|structureel onveilig|structurele onveiligheid|structural|structurally|steeds (weer )?terugkomt|"
                        r"blijft (zich )?(herhalen|terugkomen|gebeuren)|herhaalt zich|zich (\w+ ){0,2}(herhaalt|herhalen)|keer op keer|telkens weer)\b")
# Ongoing rather than once ("het speelt al maanden", "geen eenmalig iets"): structural unsafety in
# the writer's words, counted only where the danger is weighed (see _duration and read_story).
# ONGOING takes its polarity ("het is ook niet al jaren zo": not structural); ALWAYS_ONGOING is
# negative in form ("het houdt niet op", "dit is niet iets van de laatste tijd").
ONGOING = re.compile(r"\b(al (meer dan |ruim |bijna )?((een paar|enkele|twee|drie|vier|vijf|zes|\d+) )?(weken|maanden|jaren|jaar|een jaar|een half jaar)( lang)?|gezien de duur|voortdurend\w*|"
                     r"steeds (weer|opnieuw)|telkens|gebeurt (steeds|vaker|regelmatig|telkens|elke week)|(steeds|vaker|regelmatig|telkens) (gebeurt|voorkomt)|herhaaldelijk|"
                     r"blijft gebeuren|aanhoudend\w*|(elke|iedere) (dag|week) gebeurt|(steeds|telkens|vaak|vaker) raak|(al )?veel langer|al langer|al lang|langdurig\w*|jarenlang\w*|(vast|vaste) patroon|patroon|"
                     r"vaker (gebeurt|gebeurd|gebeurde|voorkomt|voorkwam)|(elke|iedere) (dag|week) (weer )?(zo|raak|hetzelfde)|gebeurt (bijna )?(elke|iedere) (dag|week)|dagelijkse kost|(al|ook al) (zo )?(sinds|vanaf|in) (groep|de kleuters|het begin|vorig)|"
                     r"happens (all the time|often|regularly|more often|again)|for (weeks|months|years)|(has|have) been going on|ongoing)\b")
# Only recently or once ("het speelt pas sinds de zomer", "eenmalig", "de eerste keer", "daarvoor
# was er niks aan de hand"): not structural, where the danger is weighed and nothing ongoing is said.
RECENT = re.compile(r"\b(pas sinds|sinds kort|nog maar (een paar|twee|drie|enkele) (weken|maanden)|"
                    r"(speel\w*|is|zijn|was|begon\w*|bestaat|loopt|gaat) (echt |nog |toen )?(pas |nog maar )?(sinds|na)|er (pas )?sinds|"
                    r"pas (een paar|enkele|twee|drie|\d+) (dagen|weken|maanden)|(nog )?maar kort|nog (vrij |heel |best )?(nieuw|kort)|"
                    r"eenmalig\w*|(de )?eerste keer|nooit eerder|(een|één|1) keer (gebeurd|gebeurt|voorgekomen|voorgevallen)|"
                    r"one[- ](off|incident|time)|niet (iets )?van (jaren|lange duur)|geen herhaling|niet (meer )?herhaald|(nog )?niet (zo |zo heel |heel |erg )?lang( aan de gang| bezig| gaande| zo)?|(iets )?van de laatste (tijd|weken|maanden)|(it )?(started|began) (after|when|this|last|in)|(only )?(happened|occurred) (only )?once|only once|first time|(daarvoor|voorheen|vroeger|ervoor) (was|waren|liep|ging) (er )?(niks|niets|alles|het))\b")
# "er is niks wat nu meteen moet", "geen geweld of iets anders waarvoor nu ingegrepen moet worden",
# "het is niet iets wat vaker gebeurt": a negated head with a clause after it denies that clause.
NEGATED_HEAD = re.compile(r"\b(niet|geen|niks|niets|nothing|not|no|isn'?t)\b.*\b(wat|waarvoor|waarbij|waarin|waarop|waardoor|waar|dat|da|die|that)\b")
# "ik zou niet zeggen dat ze in gevaar is of dat het al jaren zo gaat", "we zien het niet als een
# situatie waarin ze onveilig is": all of it denied.
DENIAL = re.compile(r"\b(niet|geen) (zeggen|denken|vinden|stellen) dat\b|\b(denk|vind) (ik|we|wij) niet dat\b|\bniet dat\b"
                    r"|\b(zien|zie|ziet|beschouwen|beschouw|ervaren) (\w+ ){0,3}(niet|geen) als\b"
                    r"|\b(don'?t|do not|doesn'?t|does not|didn'?t|did not) (think|believe|see|feel|find)\b")
ALWAYS_ONGOING = re.compile(r"\b((houdt|houd|stopt) (gewoon |echt |maar )?(niet|nooit)( op)?|keeps (happening|coming back|going on)|never stops|komt (maar |steeds |telkens |weer )*terug|blijft (maar |steeds )*(gebeuren|terugkomen)|geen eenmalig\w*|geen (los )?incident|niet (één|een|ne) keer|"
                            r"niet (iets )?van (de laatste (tijd|weken|maanden)|het laatste (half )?jaar|nu|vandaag|gisteren|deze (week|maand)))\b")
# "niet zo ernstig dat het meteen naar Veilig Thuis moet", "wel een vermoeden, maar niet ernstig":
# where the danger is weighed, neither acute nor structural (negative in form; doubt aside).
NOT_SERIOUS = re.compile(r"\b(niet|geen|niks|niets) (zo |heel |erg |echt |te )?ernstig\w*\b|\bnot (that |so |very )?serious\b")
# "niet acuut of structureel", "acuut of structureel onveilig schatten we niet in": one statement.
ACUTE_OR_STRUCTURAL = re.compile(r"\b(acuut|acute)( en/of | en | of | noch | or | nor )(niet |geen |not )?(structureel|structurele|structural)\b")
# What a suspicion is of, in the words of the act ("dat hij thuis geslagen wordt").
ABUSE = (r"(mishandel\w*|verwaarloo\w*|verwaarlozing|geweld|misbruik\w*|geslagen|slaan|slaat|sloeg|"
         r"geschopt|schopt|pijn (ge)?(doet|gedaan)|(een |de )?(tik|tikken|klap|klappen|billenkoek|pak slaag) (krijgt|krijgen|kreeg|kregen|geeft|geven|gaf))")
SUSPICION = re.compile(
    r"\b(vermoeden|vermoedens|vermoed|vermoeden we|suspicion|suspect)\b"
    r"|\b(denken|denk|vinden|vind|zijn|ben|vrezen|vrees) ((echt|wel|nu|allebei|eigenlijk|toch|ook|sterk|dus|daarom|nog|steeds) ){0,3}"
    rf"(bang |overtuigd |ervan overtuigd )?dat\b.{{0,60}}\b{ABUSE}\b"
    # "denken de juf en de ib'er wel dat hij verwaarloosd wordt": who thinks it, named between.
    rf"|\b(denken|denkt|dachten|dacht|vinden|vindt|vonden|vrezen|vreest)( (?!(niet|geen|not)\b)[\w']+){{1,8}} dat\b[^,;:]{{0,60}}\b{ABUSE}\b"
    r"|\b(think|believe|suspect) (there'?s|there is|it'?s|that) (\w+ ){0,3}(neglect|abuse|violence|maltreatment)\b"
    rf"|\b(gevoel|idee|indruk) (\w+ ){{0,2}}dat\b.{{0,60}}\b{ABUSE}"
    # "we denken dat het thuis niet goed zit": the match ends before "dat", so its "niet" is
    # not read as a denial.
    r"|\b(denken|denk|denkt|dachten|dacht|vinden|vind|vindt|vrezen|vrees)( \w+){0,3}(?= dat (het |er )?((bij|voor) (\w+ ){1,2})?(thuis )?((bij|voor) (\w+ ){1,2})?((echt|gewoon|toch|wel|wel degelijk) )?"
    r"(niet goed (voor (\w+ ){1,2})?(zit|is|was)|niet in orde is|niet goed gaat|niet veilig (is|was)|fout zit|(iets )?(mis|scheef) (is|zit|loopt)|niet pluis is|"
    r"dreiging (is|was|bestaat|uitgaat))\b)"
    r"|\b(think|suspect|believe) something (\w+ )?(happened|is going on|is wrong|going on)\b"
    r"|\b(think|believe|suspect) (she|he|they)('s|'re| is| are) being (neglected|abused|mistreated|hurt)\b"
)
# The fear that it happens again is a suspicion of a threat of it ("we zijn bang dat het weer
# gebeurt"); read only as yes (afweging 1 asks about "(dreiging van)" violence or abuse).
SUSPICION_AGAIN = re.compile(r"\b(bang|vrees|vrezen|denken|denk|verwachten|verwacht)\b[^.]{0,30}\bdat\b[^.]{0,30}"
                             r"\b(weer|opnieuw|vaker|nog eens)\b[^.]{0,20}\bgebeur\w*")
# A suspicion said as care the child misses ("we denken dat ze thuis niet de zorg krijgt die ze
# nodig heeft"): the negation belongs to the care, so it is read without polarity (doubt aside).
# Also harm it suffers ("het gevoel dat hij er schade van heeft", "naar onze inschatting komt ze tekort").
SUSPICION_CARE = re.compile(r"(\b(denken|denk|vinden|vind|vermoeden|(?<!niet het )(?<!geen )(gevoel|idee|indruk)) ((?!niet\b)\w+ ){0,3}dat\b|\bnaar (onze|mijn) inschatting\b).{0,80}"
                            r"\b(niet de zorg|te weinig (zorg|toezicht|aandacht)|tekort ?(komt|komen|krijgt)|(komt|komen) (\w+ ){1,4}tekort|"
                            r"onvoldoende (zorg|verzorgd)|schade (van )?(heeft|hebben|ondervindt|oploopt)|(er (\w+ )?onder|eronder) (lijdt|lijden)|"
                            r"(lijdt|lijden) (er )?(\w+ )?onder)")
NO_SUSPICION_FIRM = re.compile(r"\b(geen|niet|niks|niets) (\w+ )?(vermoeden|zorgen?) (meer)\b|\bgeen (enkel|enkele) (vermoeden|zorg)|\b(vermoeden|zorgen) (is |zijn )?weg")
# Doubt whether anything is wrong at all: afweging 1 "twijfel" (advice from Veilig Thuis first).
SUSPICION_DOUBT = re.compile(
    r"\b(fase|iets achter|meer achter|iets speelt|iets aan de hand|aan de hand is|onder (kinder)?mishandeling|"
    r"mishandeling|verwaarlozing|huiselijk geweld|sprake (is |was |zou zijn )?van|spoken|normaal \w*|gewoon (\w+ ){1,3}is|"
    r"overdrijf|iets is of niet|wat is of niet|"
    r"(meer|iets) (speelt|achter zit)|signaal|neglect|abuse|something (is )?going on|of er (wel |echt )?iets (is|speelt)|anything (at home|going on))\b"
)
NO_SUSPICION = re.compile(
    r"(?<!was er )(?<!waren er )(?<!was )\b(niks|niets) (aan de hand|ernstigs|verontrustends)|\bzorgen (zijn )?(weg|weggenomen|verdwenen)"
    r"|\b(niks|niets|geen) (van )?(mishandeling|verwaarlozing|kindermishandeling|huiselijk geweld)\b.{0,20}\b(speelt|sprake|aan de hand)"
    r"|\b(van )?(mishandeling|verwaarlozing|kindermishandeling|huiselijk geweld) (is |was )?geen sprake"
    r"|\bvermoeden (is )?(weg|weggenomen|van de baan|vervallen)|\bgeen zorg(en)? meer|"
    r"\bverklaring (gevonden|is duidelijk|klopt)|\bgoede verklaring|\bonterecht|"
    r"\bniet dat er (thuis )?iets (niet klopt|mis is|speelt|aan de hand is)\b|\bverder geen (nieuwe )?signalen\b"
    r"|\b(denken|denk|vinden|vind)( \w+){0,2} niet( meer)? dat (er )?(thuis )?(iets|wat) (\w+ )?(mis|aan de hand|niet klopt|speelt)\b"
    r"|\bno (reason|grounds)( any ?more)? to (think|believe|suspect)\b"
    r"|\b(don'?t|do not|doesn'?t|does not) (think|believe|suspect) (that )?(there'?s |there is )?(anything|something) (\w+ ){0,2}(going on|wrong|happening)\b"
    r"|\b(denkt|denken|vindt|vinden|gelooft|geloven) niemand( \w+){0,3}( meer| nog)? dat\b"
    r"|\b(niks|niets|geen \w+) (meer )?(dat|wat|die) (\w+ ){0,3}(op|naar) (\w+ ){0,5}(wijst|wijzen|duidt|duiden)\b"
)
# "geen aanwijzingen meer voor mishandeling"; but no signs of one form ("geen aanwijzing voor
# lichamelijk geweld", "er wordt niet geslagen en daar is geen aanwijzing voor") leave the rest open.
NO_SIGNS = re.compile(r"\bgeen (enkele )?(aanwijzing|aanwijzingen|signalen|tekenen|reden)( \w+)? (meer|voor|om)\b")
ONE_FORM = re.compile(r"\b(lichamelijk\w*|fysiek\w*|seksue\w*|geslagen|slaan|slaat|letsel|plekken|(?<!huiselijk )geweld)\b")


def _denies_suspicion(clause: str) -> bool:
    return bool(NO_SUSPICION.search(clause) or (NO_SIGNS.search(clause) and not ONE_FORM.search(clause)))


# "vader zegt dat er niks aan de hand is", "moeder herkent het, maar zegt dat …": what a parent
# says, not the school's weighing.
_SAYS = re.compile(r"\b(zegt|zei|zeggen|zeiden|beweert|beweerde|beweren|beweerden|vindt|vond|vinden|vonden|"
                   r"says|said|claims?|claimed)( \w+)? (dat|that)\b")


def _said_by_parent(parts: List[str], i: int) -> bool:
    """The clause reports what a parent says: a parent names the speaker in it, or it starts
    with the verb and the clause before it (the same sentence) names a parent, not "we"."""
    said = _SAYS.search(parts[i])
    if not said:
        return False
    speaker = parts[i][:said.start()]
    if re.search(rf"\b{PARENT}\b", speaker):
        return True
    return bool(re.fullmatch(r"\s*((maar|en|but|and) )?", speaker)) and i > 0 \
        and bool(re.search(rf"\b{PARENT}\b", parts[i - 1])) and not re.search(r"\b(ik|we|wij)\b", parts[i - 1])


HELP = (r"(\w*hulp|\w*ondersteuning|\w*begeleiding|wijkteam|smw|schoolmaatschappelijk\w*|jeugdzorg|"
        r"hulpverlen\w*|\w*traject|\w*coach\w*|\w*therapie|ggz|jgz|cjg|clb|caw|buurtteam|gebiedsteam|helpen|help|support|"
        r"course|therapy|counsel\w*|"
        r"begeleiden|ondersteunen|praatgroep|gespreksgroep|lotgenotengroep|\w*cursus|\w*training)")
HELP_POSSIBLE = re.compile(
    rf"\b(kunnen|kan|kunnen we|kan de|kunnen de|bieden|bied|regelen|organiseren|inschakelen|ingeschakeld|"
    rf"inzetten|ingezet|doorverwijzen|doorverwezen|verwijzen|aanmelden|aangemeld|opstarten|opgestart|"
    rf"gestart|start|begint|beschikbaar|mogelijk|toegeleid|toeleiden|kwam|kwamen)\b.{{0,50}}\b{HELP}\b"
    rf"|\b{HELP}\b.{{0,50}}\b(kunnen|kan|bieden|regelen|organiseren|inschakelen|ingeschakeld|inzetten|"
    r"ingezet|mogelijk|beschikbaar|opstarten|opgestart|gestart|starten|begonnen|loopt|liep|kwam|kreeg|"
    r"gedaan|gevoerd|gegeven|gegaan)\b"
    r"|\b(kan|kunnen|wil|willen) (hem|haar|hen|het gezin|de ouders|ze) helpen\b"
    rf"|\b(heeft|hebben|biedt|bieden) (een |ook een |wel een )?{HELP}\b|\baangeboden\b"
)
HELP_IMPOSSIBLE = re.compile(
    rf"\b(geen|niet|niks|niets)\b.{{0,30}}\b{HELP}\b.{{0,30}}\b(mogelijk|bieden|organiseren|regelen|beschikbaar|"
    r"bereikbaar|inzetten)\b"
    rf"|\b{HELP}\b.{{0,30}}\b(niet mogelijk|niet bereikbaar|niet beschikbaar|niet te organiseren|onmogelijk)\b"
    r"|\bkunnen (we |wij )?(zelf )?(eigenlijk )?(hier |daar |er )?(niks|niets|geen hulp|niemand)\b"
    r"|(?<!wil )(?<!willen )(?<!wilde )(?<!wilden )(?<!wou )\bgeen (vervanging|smw|schoolmaatschappelijk werker|hulpverlening|aanbod)\b"
    r"|\bniemand (die|om|inzetten|beschikbaar)\b|\bniemand (anders |hier )?(kan|kunnen)\b|\bnobody (who )?can help\b"
    r"|\b(kunnen|kan) (we |wij )?(dit |dat |da |het )?(zelf )?(echt )?niet (oppakken|bieden|regelen|organiseren|oplossen)\b"
    r"|\ber is (verder |ook |gewoon )?niemand anders\b|\b(er is|is er) (gewoon |helaas |echt |verder |ook )?(niks|niets) beschikbaar\b"
    rf"|\b{HELP}\b.{{0,40}}\bbestaat (\w+ ){{0,4}}niet meer\b"
    rf"|\b{HELP}( \w+)? lukt (ons |me |mij |hun |hen |het )?niet\b|\bbuiten (hun|onze|zijn|haar|de) (\w+ )?mogelijkheden\b"
    r"|\b(niks|niets|geen hulp)( \w+)? (kunnen|kan) (organiseren|bieden|regelen|inzetten|doen)\b"
    rf"|\b{HELP} (hebben (we|wij)|is er) (gewoon |helaas )?niet\b|\b{HELP} (zit|zitten) vol\b"
    rf"|\b{HELP}\b.{{0,20}}\b(kan|kunnen) (daar |er |hier )?(niks|niets) (mee|met|voor)\b"
    r"|\bnothing (\w+ ){0,5}(can|could) (offer|do|arrange|set up|provide|organi[sz]e)\b"
    r"|\b(can'?t|cannot|can not) (offer|arrange|provide|find|set up) (any |the )?(help|support)\b"
)
# Help that took place ("er kwam een gezinscoach", "vader ging naar therapie", "de smw heeft tien
# gesprekken gevoerd") was accepted (afweging 4), unless the story says otherwise.
HELP_TAKEN = re.compile(
    rf"\b{HELP}\b.{{0,40}}\b(ingezet|opgestart|gestart|begonnen|loopt|liep|gedaan|gevoerd|gegeven|gegaan)\b"
    rf"|\b(kwam|kwamen) (er )?(een |de |het )?{HELP}\b|\b(ging|gingen) (\w+ )?naar (de |een |het )?{HELP}\b"
    rf"|\bnaar (de |een |het )?{HELP} (gegaan|geweest)\b|\b(eerste )?afspraak (staat|is) (al )?(gepland|gemaakt)\b"
)
# Doubt whether the school can do it ("ik weet niet of wij dit kunnen opvangen", "ik twijfel of
# wat we kunnen regelen genoeg is"): doubt about help (afweging 3) without the word "hulp".
HELP_CAN = re.compile(r"\b(kunnen|kan|kun) (\w+ ){0,5}(opvangen|regelen|organiseren|bieden|oplossen|betekenen)\b")
HELP_WAITLIST = re.compile(r"\b(wachtlijst|wachttijd|wachtlijsten)\b")
ACCEPTS = re.compile(
    rf"\b{PARENT}\b.{{0,90}}\b(aangenomen|aanneemt|aannemen|staan open|staat open|stond open|stonden open|aangemeld|(heel |erg )?graag wil(len)?|willen (graag )?(hulp|meewerken|dat)|wil (graag )?(hulp|dat|meewerken)|"
    r"wil dat graag|willen dat graag|wou (graag )?(hulp|meewerken|dat)|wouden (graag )?(hulp|meewerken|dat)|accepteren|accepteert|accepteerde|accepteerden|aanvaarden|aanvaardt|aanvaard|"
    r"aanvaardde|aanvaardden|geaccepteerd|gaan akkoord|gaat akkoord|ging akkoord|gingen akkoord|stemde in|stemden in|"
    r"akkoord|stemmen in|stemt in|ingestemd|(doen|doet|deed|deden) (\w+ ){0,3}mee|werken mee|werkt mee|ja gezegd|positief|"
    r"(?<!ik )(?<!we )(?<!wij )(wil|willen|wilde|wilden) (\w+ ){0,3}(heel |erg |echt )?graag|"
    r"bereid|staan ervoor open|(wil|willen|wilde|wilden|wou|wouden) (\w+ ){0,3}(graag )?(hulp|\w*cursus|\w*training|\w*traject|\w*coach\w*|\w*therapie|meewerken|meedoen)|agreed|accepted|"
    r"(zijn|is|waren|was|staan|stonden|staat|stond) er (allebei |allebij |helemaal |ook |echt |wel )?(voor|open voor)|"
    r"(maakt|maken|maakte|maakten) (daar |er |hier )?(\w+ )?(graag )?gebruik van|graag gebruik van|(eerste )?afspraak (al )?(ingepland|gepland|gemaakt)|"
    r"getekend|ondertekend|tekenden|said yes|zeiden ja|zei ja)\b"
    r"|\bhulp (wordt|werd) (aanvaard|geaccepteerd)"
    rf"|\b{PARENT}\b.{{0,40}}\b(zei|zeiden|zegt|zeggen) (daar |er |erop )?((meteen|direct|gelijk|volmondig|ook|uiteindelijk|toch|wel)\s*)*[:'\"]*\s*['\"]?ja\b"
    r"|\b(gezegd|zeggen|zei|zeiden|aangegeven|gaf aan|gaven aan) dat (ze|hij|zij|beiden) (dit|dat|het) (allebei |ook |graag |echt )*(wil|willen|wilde|wilden)\b"
    r"|\b(gezegd|zeggen|zegt|zei|zeiden|aangegeven|gaf aan|gaven aan) dat (ze|hij|ie|zij|beiden) (\w+ ){0,2}hulp (wil|willen|wilde|wilden)\b"
    r"|\ber (\w+ ){0,2}voor (getekend|ondertekend|tekende|tekenden)\b|\bervoor (getekend|ondertekend)\b"
    r"|\b(zeiden|zei) (uiteindelijk |toch )?(wel )?ja tegen\b|\b(goed |overal |trouw |keurig )*(aan )?(meegedaan|meegewerkt)\b"
)
REFUSES = re.compile(
    rf"\b{PARENT}\b.{{0,90}}\b(weiger\w*|geweigerd|willen geen|wil geen|wilden geen|"
    r"wilde geen|houden af|houdt af|hielden af|afgehouden|werken niet mee|werkt niet mee|niet mee|"
    r"afgezegd|zeggen af|zegt af|zeiden af|komen niet|komt niet|kwamen niet|kwam niet|doen niet open|"
    r"deed niet open|deden niet open|blokkeren|blokkeert|haken af|haakt af|afgehaakt|refuse\w*|"
    r"niet open voor|niks van willen weten|niets van willen weten|niet nodig|verbiedt|verbieden|verbood|verboden|"
    r"cancel\w*)\b"
    # "ze aanvaarden die niet", "hij heeft de afspraak afgezegd": the parent as a pronoun.
    r"|\b(ze|zij|hij)\b (\w+ ){0,2}(aanvaarden|aanvaardt|aanvaardden|aanvaardde|accepteren|accepteert|accepteerden|"
    r"accepteerde|nemen|neemt|namen|nam) (\w+ ){0,2}(niet|geen)( aan)?\b"
    r"|\b(ze|zij|hij) (heeft|hebben|had|hadden) ((?!(niks|niets|niet|nooit)\b)\w+ ){0,6}(afgezegd|geweigerd|afgehouden|afgewezen|afgeslagen)\b"
    r"|\b(she|he|they) (\w+ ){0,2}cancel\w*|\b(doesn'?t|don'?t|does not|do not|didn'?t|did not) want (any|anyone|anybody|help|the help|us)\b"
    r"|\bhulp (wordt|werd) (afgehouden|geweigerd|afgewezen)"
    r"|\b(werken|werkt|werkten|werkte) (gewoon |echt |helemaal )?niet mee\b|\bgeen hulp (nodig|willen)\b"
    r"|\bnergens (aan )?mee ?(werken|werkt|doen|doet)\b|\bnergens aan\b"
    r"|\b(wil|willen|wilde|wilden) (echt |helemaal |gewoon |er )*(niks|niets)( van)?( weten)?\b|\b(afgewezen|(wees|wijst|wezen|wijzen) .{0,20}\baf)\b"
    r"|\b(wil|willen|wilde|wilden) (echt |helemaal |gewoon )?geen (hulp|bemoeienis|wijkteam|hulpverlening)\b"
    r"|\bhouden (de boot |de hulp |alles )?af\b|\bhoudt (de boot |de hulp |alles )?af\b"
    r"|\b(not|isn'?t|aren'?t|wasn'?t|weren'?t) cooperating\b|\b(won'?t|doesn'?t|don'?t|didn'?t|refuses? to) (cooperate|take part|participate|accept)\b"
    r"|^(ze|hij|zij) (wil|willen|wilde|wilden) (het |dat )?(gewoon |echt |helemaal )?niet$"
    rf"|\b{PARENT}\b.{{0,20}}\b(zei|zeiden|zegt|zeggen) (meteen |direct |gewoon |botweg |gelijk )?nee\b"
    r"|\b(didn'?t|did not|never) show(ed)? up\b|\b(niet|nooit) (\w+ )?(komen |kwamen |komt |kwam )?opdagen\b|\bniet meewerken\b"
)
# "hij heeft nog nooit iets afgezegd", "niets geweigerd": a refusal denied.
NOT_REFUSED = re.compile(r"\b(nooit|niks|niets|niet|geen) (\w+ ){0,2}(afgezegd|geweigerd|afgehouden|afgewezen|afgeslagen)\b")
RESULT_CONTEXT = re.compile(
    rf"\b({HELP}|termijn|evaluatie|geëvalueerd|geevalueerd|doelen|afgesproken|afspraken|resultaat|resultaten|"
    r"inmiddels|sindsdien|(weken|maanden|jaar) (zijn |is )?(nu )?(om|voorbij|verstreken|verder|later)|goals|evaluation|since then)\b"
)
# Refusing help needs help in the story: a parent who is angry in a conversation ("bemoei je er
# niet mee") has not yet refused help that was offered (afweging 4).
# Help the writer asks of Meldwijzer ("ik wil graag uw hulp bij het volgende") is no help offered.
REFUSAL_CONTEXT = re.compile(rf"(?<!\buw )(?<!\bjouw )(?<!\bje )\b({HELP}|afspraak|afspraken|meewerken|meedoen|deur|hulpverlener\w*|appointments?|cooperat\w*)\b")
WORKED = re.compile(
    rf"\b({HELP}|het|dit|alles)\b.{{0,40}}\b(werkt|werkte|helpt|hielp|heeft (\w+ )?geholpen|heeft (\w+ )?gewerkt|gaat (veel |een stuk |duidelijk )?beter|"
    r"ging beter|succesvol|afgerond)\b"
    r"|\b(doel|doelen|resultaten|afspraken|afgesproken)\b.{0,25}\b(gehaald|behaald|bereikt|nagekomen)\b"
    r"|\b(veel|een stuk|stukken|duidelijk|flink) beter (gaat|ging)\b"
    r"|\b(veel |een stuk |stukken )?beter in (zijn|haar|zn|z'n|d'r) vel\b"
    r"|\b(het gaat|gaat het)\b.{0,24}\b(beter|goed|top|prima|super)\b|\bhet (goed|beter|prima) gaat\b"
    r"|\b((is|was|gaat|ging) het|het (is|was|gaat|ging)) (nu |al |inmiddels )?(veel|een stuk|stukken|duidelijk|flink|zoveel) beter\b"
    r"|\b(verbeterd|vooruitgang|opgeknapt|opgelost|gelukt|tevreden|(veel |een stuk |duidelijk )?(rustiger|vrolijker|ontspannener))\b"
    r"|\b(weer )?(goed|prima) (functioneert|functioneren)\b|\b(functioneert|functioneren) (weer )?(goed|prima)\b"
    r"|\bnooit meer (te laat|zonder)\b|\b(het )?weer aan(kan|kunnen)\b"
    r"|\b(much |a lot |way |so much )?(calmer|happier)\b|\bimproved\b|\b(it|the help|this|that) (helped|worked)\b"
    r"|\b(goals|targets)\b.{0,25}\b(met|reached|achieved)\b"
)
# Doubt whether the parents accept the help (afweging 4), not whether help is possible.
ACCEPT_DOUBT = re.compile(r"\bof (ze|zij|hij|de ouders|vader|moeder) (het|dat|dit) (\w+ )?(gaan|gaat|zullen|zal|gingen) doen\b|\b(aanvaard\w*|accepte\w*|meewerk\w*|volhou\w*|vol (te )?houden|doorzet\w*|mee (gaan|gaat) werken|meedoen|meedoet|mee (gaan|gaat) doen|inzet\w*|lippendienst|overtuigd|"
                          r"aanne\w*|aangenomen|aanpakt|ingaan|ingaat|in (gaan|gaat)|ja (\w+ )?(gaat |zal |gaan |zullen )?zeggen|instemmen|instemt|tekenen|tekent)\b")
# "zolang vader niet meedoet": a condition on the help, not doubt whether the parents accept it.
CONDITION = re.compile(r"\b(zolang|tenzij|mits|as long as|unless)\b.*$")
# "dan zou ze rustiger moeten zijn", "he should be calmer by then": a goal set with the term, no result.
GOAL = re.compile(r"\b(moet|moeten|zou|zouden|should|must|needs? to|has to|have to|doel (is|was) (om|dat)|bedoeling|hopen|hoop|hope)\b")
# "het advies (van Veilig Thuis) was om hulp aan te bieden": what to do, not help that is there.
ADVISED = re.compile(r"\b(advies|advice) (was|is|luidde|om)\b|\b(adviseerde|adviseerden|adviseert|adviseren|raadde|raadden|raadt) ")
# "de smw is al maanden ziek", "de ib weet er al langer van": how long something else goes on
# (help, an illness, a waiting list, knowing of it), not the unsafety.
OTHER_DURATION = re.compile(rf"\b({HELP}|ziek\w*|wachtlijst\w*|wachttijd\w*)|\b(weet|weten|wist|wisten) (er|het|dit|dat) (\w+ ){{0,2}}al\b")
DID_NOT_WORK = re.compile(
    rf"\b({HELP}|het|dit|alles)\b.{{0,40}}\b((helpt|werkt|hielp|werkte) (\w+ ){{0,2}}niet|heeft niet geholpen|"
    r"loopt vast|liep vast|vastgelopen|stagneert|stokt|niet verbeterd)\b"
    r"|\b(niets|niks) (is )?veranderd|\bgeen (verbetering|resultaat|resultaten|vooruitgang)\b"
    r"|\b(doelen|resultaten|afspraken)\b.{0,25}\b(niet (worden |zijn |werden )?(gehaald|behaald|bereikt|nagekomen))\b"
    r"|\bniet (gewerkt|geholpen)\b|\b(niks|niets) (is )?beter\b|\beerder erger\b|\b(juist |alleen maar )?(toegenomen|verslechterd|achteruitgegaan)\b"
    r"|\b(net als|net zo \w+ als) (vroeger|eerst|daarvoor|voorheen)\b"
    r"|\b(schiet niet op|niet opschiet|niet op schiet|niet vooruit|geen stap verder|niet nakomt|komt .{0,20} niet na)\b"
    r"|\b(erger|heftiger|slechter|zwaarder) (geworden|gaan|wordt|worden)\b|\b(levert|leveren|leverde|leverden) (dus |eigenlijk |gewoon |echt |helemaal )?(niets|niks) op\b"
    r"|\b(precies|nog (steeds|altijd)) (hetzelfde|zoals (het was|vroeger|eerst|daarvoor))\b|\bmisschien (nog |wel )?erger\b"
    r"|\b(niets|niks) opgeleverd\b|\bgeen (effect|verschil)\b"
    r"|\b(didn'?t|did not|hasn'?t|has not|haven'?t|have not|doesn'?t|does not) (helped|help|worked|work|improved|improve)\b|\b(doing|getting|got|gotten|it'?s|is) worse\b|\bnothing (has )?changed\b|\bno (improvement|progress|change)\b"
    r"|\bnog steeds\b|\b(niet|geen|nauwelijks) (beter|verbetering|verandering)\b|\b(verandert|veranderde) (er )?(gewoon |echt |helemaal )?(niks|niets)\b"
    r"|\bresulta\w* (is |zijn )?(er )?(niet|geen|nog niet)\b|\b(termijn|periode)\b.{0,30}\b(voorbij|verstreken|om)\b.{0,40}\b(geen|niet|niets|niks)\b"
)
STAFF_SUSPECT = re.compile(r"\b(collega|juf|meester|leerkracht|stagiair\w*|conci[eë]rge|gymleraar|gymjuf|"
                           r"directeur|medewerker|invaller|overblijf\w*|tso|bso-medewerker|vrijwilliger)\b")
HOME = re.compile(rf"\b({PARENT}|(?<!veilig )thuis|gezin|stiefvader|stiefmoeder|vriend van (de )?moeder|partner)\b")
PARENT_ISSUE = re.compile(
    r"\b(verslaafd|verslaving|drinkt|drank|alcohol|drugs|psychisch\w*|psychiatri\w*|depressie|depressief|"
    r"burn-?out|overspannen|ggz|(?<!contact )opgenomen|ruzie tussen (de )?ouders|ruzies thuis|huiselijk geweld|partnergeweld|"
    r"slaat (de |zijn |haar )?(moeder|vader|vrouw|man)|gescheiden en vechten|vechtscheiding)\b"
)


# The words that state a fact, for reading them through a typo ("vermoedn", "besprooken",
# "gevraagt"): a longer word that is not itself a Dutch word and is one letter off (missing, extra, changed or swapped) is read as it.
STORY_WORDS = frozenset("""
vermoeden vermoedens besproken overlegd gesproken vastgelegd genoteerd opgeschreven gedocumenteerd
bijgehouden geregistreerd leerlingdossier dossier parnassys leerlingvolgsysteem ingelicht gevraagd
geadviseerd geraadpleegd oudergesprek gesprek gesprekken structureel structurele onveiligheid onveilig
twijfel twijfelen twijfelt twijfelde twijfelden acuut acute aanvaard aanvaarden aanvaardt geaccepteerd
accepteren accepteert weigeren weigert geweigerd weigerde akkoord meewerken meegewerkt ondersteuning
opvoedondersteuning gezinscoach wijkteam schoolmaatschappelijk mogelijk beschikbaar ingezet inzetten
geholpen gewerkt verbeterd veranderd verandert resultaat resultaten behaald bereikt gehaald evaluatie
termijn verwaarlozing mishandeling inschatting ingeschat veilig
""".split())
_LONG_ENOUGH = 6


def _variants(word: str) -> set:
    """The word with one letter left out, and with two neighbours swapped."""
    out = {word[:i] + word[i + 1:] for i in range(len(word))}
    out |= {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    return out


_BY_VARIANT: Dict[str, set] = {}
for _word in STORY_WORDS:
    for _variant in _variants(_word) | {_word}:
        _BY_VARIANT.setdefault(_variant, set()).add(_word)


def _spelled(word: str) -> str:
    """A word one letter off a story word, read as that word when only one fits."""
    if len(word) < _LONG_ENOUGH or word in STORY_WORDS or not word.isalpha() or word in dutch_words():
        return word  # a real word is never "corrected" ("gewekt" stays)
    candidates = set(_BY_VARIANT.get(word, ()))  # a letter missing or two swapped
    for variant in _variants(word):  # a letter too many, or one changed
        candidates |= {w for w in _BY_VARIANT.get(variant, ()) if w == variant or len(w) == len(word)}
    return candidates.pop() if len(candidates) == 1 else word


class StoryFacts(Dict[str, str]):
    """read_story's answers; `implied_keys`: those the story implies rather than states."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.implied_keys: Set[str] = set()


@dataclass(frozen=True)
class Fact:
    key: str  # a route question: s1_..., s2_..., s3_..., afweging_1..5
    value: str  # ja / nee / twijfel, or a text for a text question


def clauses(text: str) -> List[str]:
    lowered = " ".join((text or "").lower().replace("’", "'").split())
    for pattern, replacement in _SPELLING:
        lowered = pattern.sub(replacement, lowered)
    lowered = re.sub(r"[a-zà-ÿ]+", lambda m: _spelled(m.group(0)), lowered)
    lowered = re.sub(r"\((\w+)\)", r"\1", lowered)  # "structureel vinden we het (nog) niet"
    pieces = [c.strip() for c in _CLAUSE.split(lowered) if c and c.strip(".;!\n ")]
    out: List[str] = []
    for i, piece in enumerate(pieces):
        if not _QUESTION.search(piece):
            if _INDIRECT.match(piece) and i + 1 < len(pieces) and _ANSWERED_DOUBT.match(pieces[i + 1]):
                piece = f"twijfel {piece}"
            out.append(piece.rstrip(".;!\n "))
            continue
        # A question the writer answers at once states the answer: "acuut? nee, dat niet".
        answer = _ANSWERED.match(pieces[i + 1]) if i + 1 < len(pieces) else None
        if answer:
            word = _ANSWER_WORDS.get(answer.group(1), answer.group(1))
            out.append(f"{word} {piece.rstrip('?').strip()}")
        elif i + 1 < len(pieces) and _ANSWERED_DOUBT.match(pieces[i + 1]):
            out.append(f"twijfel {piece.rstrip('?').strip()}")
    return out


# "(nee,) het ligt niet aan de ouders, die nemen alles aan": the "niet" says whose fault it is not.
_NOT_BLAME = re.compile(r"\b((nee|neen),? )?(het |dat |dit )?(ligt|lag|zit|zat) (het |dat |dit )?(echt |gewoon |zeker )?niet aan\b")
# "… al weken zonder eten" negates nothing about the weeks.
_FAR_NEGATIONS = frozenset({"niet", "geen", "niks", "niets", "nooit", "not", "no", "never", "don't", "isn't", "doesn't"})


def _part_around(clause: str, match: re.Match) -> str:
    """The part of the sentence (between commas, "want", "maar", …) that holds the match."""
    before = _SUB_CLAUSE.split(clause[:match.start()])[-1]
    rest = _SUB_CLAUSE.split(clause[match.end():], maxsplit=2)
    after = rest[0]
    if len(rest) > 1 and re.match(r"^\s*(dat|dit|daar|that)\b", rest[-1]):
        after += " " + rest[-1]  # "of het vaker gebeurt, dat weet ik niet": the doubt is about it
    return before + match.group(0) + after


def _polarity(clause: str, match: re.Match, far: bool = False) -> str:
    """ja, nee or twijfel for a statement found in a clause: doubt anywhere in the clause;
    a negation inside it, in the few words before it (unless a nearer "wel" overrules it:
    "niet acuut, wel structureel"), or in the words right after the verb ("acuut is het
    niet", "schatten we niet in"); `far`: anywhere further on in that part of the sentence
    (for the weighing of unsafety, where "… is naar onze inschatting geen sprake" is said)."""
    after = clause[match.end():match.end() + 30]
    # "Vermoeden: ja", "acuut of structureel: nee, vinden we niet", "hulp mogelijk? twijfel".
    colon = re.match(r"^(\s+[\w']+){0,2}?\s*[:=?-]+\s*(ja|jawel|nee|neen|niet|geen|twijfel\w*)\b", after)
    if colon:
        word = colon.group(2)
        return JA if word.startswith("ja") else TWIJFEL if word.startswith("twijfel") else NEE
    if re.match(r"^(\s+[\w']+){0,2}?\s*,?\s*(nee|neen)\b", after):  # "echt gevaar, nee", "acuut onveilig nee"
        return NEE
    # Doubt in the clause; with `far`, only in the part of the sentence that holds the statement
    # ("niks wat direct moet, alleen of het vaker gebeurt weet ik niet": the doubt is about "vaker").
    if _DOUBT.search(_part_around(clause, match) if far else clause) or clause.startswith("twijfel "):
        return TWIJFEL  # "twijfel …": a question the writer answered with doubt (clauses())
    # A question the writer answered "nee" ("acuut of al jaren zo? nee, dat zien we niet"),
    # or a statement under "ik zou niet zeggen dat …": everything in it is denied.
    if re.match(r"^(nee|neen)\b", clause) or (far and DENIAL.search(clause[:match.start()])):
        return NEE
    if _NEGATION.search(match.group(0)):
        return NEE
    before = _NOT_BLAME.sub(" ", clause[:match.start()])[-20:]
    negations = list(_NEGATION.finditer(before))
    positives = list(_POSITIVE.finditer(before))
    if negations and (not positives or negations[-1].start() > positives[-1].start()):
        return NEE
    if far and not positives and NEGATED_HEAD.search(_SUB_CLAUSE.split(clause[:match.start()])[-1]):
        return NEE
    if far and re.search(r"[,;]\s*(dat|da|dit|that)\b[^,;]*\b(niet|geen|not)\b", clause[match.end():]):
        return NEE  # "… of dat ze gevaar loopt, dat zien we niet"
    reported = re.match(r"^\s*(dat|:|'|\")", after)  # "vader zei dat we niet …": his words, not a denial
    if not positives and not reported and re.match(r"^(\s+(?!(en|and)\b)[\w']+){0,4}?\s+(niet|geen|not)\b", after):
        return NEE
    # Further on in the same part of the sentence: "… is naar onze inschatting geen sprake",
    # "… zien wij op grond van wat wij weten niet" (a comma or "want/omdat/maar" ends the part).
    rest = _SUB_CLAUSE.split(clause[match.end():], maxsplit=1)[0].split()[:15]
    if far and not positives and any(word in _FAR_NEGATIONS for word in rest) and not _POSITIVE.search(" ".join(rest)):
        return NEE
    return JA


_QUOTED = re.compile(r"(?<![\w'])'[^']{2,}'(?![\w'])|\"[^\"]{2,}\"")


def _unquoted(clause: str) -> str:
    """The clause without the words in quotes: what a child or parent said ("'ik kan niks goed
    doen'") is not what the writer states about help."""
    return _QUOTED.sub(" ", clause)


def _first(pattern: re.Pattern, clauses_: Iterable[str]) -> Optional[Tuple[str, re.Match]]:
    for clause in clauses_:
        match = pattern.search(clause)
        if match:
            return clause, match
    return None


def _last_polarity(pattern: re.Pattern, parts: List[str], far: bool = False) -> Optional[str]:
    """The polarity of the last statement of this kind (a later sentence corrects an earlier)."""
    found = None
    for clause in parts:
        for match in pattern.finditer(clause):
            found = _polarity(clause, match, far)
    return found


def _without(pattern: re.Pattern, clause: str) -> str:
    """The clause without the parts of the sentence (between commas, "want", "maar", …) that
    hold the pattern."""
    kept, start = [], 0
    for sep in list(_SUB_CLAUSE.finditer(clause)) + [None]:
        end = sep.start() if sep else len(clause)
        if not pattern.search(clause[start:end]):
            kept.append(clause[start:end])
        if sep:
            kept.append(sep.group(0))
            start = sep.end()
    return "".join(kept)


def _duration(parts: List[str], stated_only: bool = False) -> Optional[str]:
    """Ongoing (ja), not ongoing or only recently (nee), or doubt, as the text says it.
    `stated_only`: only what is said about the pattern itself ("het houdt niet op", "of het
    vaker gebeurt weet ik niet", "pas sinds de zomer"), not "al weken (zonder eten)" in a
    description of signals."""
    if any(ALWAYS_ONGOING.search(c) for c in parts):
        return JA
    parts = [_without(OTHER_DURATION, c) for c in parts]
    ongoing = _last_polarity(ONGOING, parts, far=True)
    if ongoing is not None and not (stated_only and ongoing != TWIJFEL):
        return ongoing
    if any(RECENT.search(c) for c in parts):
        return NEE
    return None


def _danger_denied(parts: List[str]) -> bool:
    """Danger denied with no word for "now" in the sentence ("ze liep geen gevaar")."""
    return any(_polarity(c, m, far=True) == NEE and not NOW.search(c)
               for c in parts for m in BARE_DANGER.finditer(c))


def _help_possible(parts: List[str]) -> Optional[str]:
    """Whether help is possible (afweging 3), as the text says it; doubt first."""
    if any(_DOUBT.search(c) and (re.search(rf"\b{HELP}\b", c) or HELP_CAN.search(c)) for c in parts):
        return TWIJFEL  # "ik weet niet of iemand nu hulp kan bieden"
    if any(HELP_IMPOSSIBLE.search(_unquoted(c)) for c in parts):
        return NEE
    if any(HELP_WAITLIST.search(c) for c in parts):
        return TWIJFEL
    if _last_polarity(HELP_POSSIBLE, parts) == JA:
        return JA
    return None


def read_story(text: str, help_given: bool = False, earlier: Sequence[str] = (),
               asked: Optional[str] = None, imply_acceptance: bool = True) -> StoryFacts:
    """Route answers (question key -> ja/nee/twijfel or text) that this text states.
    `help_given`: the route already knows help was accepted, so "het werkt" is about that help.
    `earlier`: the story's earlier messages, oldest first (how long it has been going on may
    have been told before the danger is weighed). `asked`: the route's open question.
    `imply_acceptance`: help that took place answers afweging 4 (False where only what the
    text states counts, as in the safety net's count of a case's steps)."""
    parts = clauses(text)
    facts = StoryFacts()
    if not parts:
        return facts

    recorded = _last_polarity(RECORDED, parts)
    if recorded == JA:
        facts.update(s1_signalen=RECORDED_TEXT, s1_context=RECORDED_TEXT,
                     s1_vermoeden=RECORDED_TEXT, s1_derden=RECORDED_TEXT)

    ib = [_polarity(c, m) for c in parts for m in IB_TALK.finditer(c)]
    if any(ME_IB.search(c) for c in parts) or JA in ib:
        facts["s2_ib"] = JA
    elif NEE in ib:
        facts["s2_ib"] = NEE

    if _last_polarity(VT_ADVICE, parts) == JA:
        facts["s2_advies"] = JA

    talk = _last_polarity(PARENT_TALK, parts)
    if talk == NEE and any(_polarity(c, m) == JA and not PARENT_ABSENT.search(m.group(0))
                           for c in parts for m in PARENT_TALK.finditer(c)) and all(
            PARENT_ABSENT.search(m.group(0)) for c in parts for m in PARENT_TALK.finditer(c) if _polarity(c, m) == NEE):
        talk = JA  # "we hebben moeder gesproken (vader kwam niet opdagen)": held, with one parent
    if talk == JA:
        facts.update(s3_gevoerd=JA, s3_veilig=JA, s3_vertrek=NEE)
    elif talk == NEE:
        facts["s3_gevoerd"] = NEE
    if any(PARENT_TALK_UNSAFE.search(c) for c in parts) and talk != JA:
        facts["s3_veilig"] = NEE
    if talk != JA and _last_polarity(FAMILY_LEAVES, parts) == JA and any(
            re.search(r"\b(bang|vrees|verwacht|denk|kans|risico|dreig)\w*", c) for c in parts):
        facts["s3_vertrek"] = JA

    if any(PARENT_ISSUE.search(c) for c in parts):
        facts["s1_kindcheck"] = JA
    if any(HOME.search(c) for c in parts) and not any(STAFF_SUSPECT.search(c) for c in parts):
        facts["s1_medewerker"] = NEE

    # Suspicion (afweging 1).
    # "no reason any more to think something is going on": the statement is the denial.
    suspicion = _last_polarity(SUSPICION, [c for c in parts if not _denies_suspicion(c)])
    denials = [c for i, c in enumerate(parts) if _denies_suspicion(c) and not _said_by_parent(parts, i)]
    if suspicion is None and any((SUSPICION_CARE.search(c) or SUSPICION_AGAIN.search(c)) and not _DOUBT.search(c)
                                 and _last_polarity(SUSPICION_AGAIN, [c]) != NEE for c in parts):
        suspicion = JA
    if denials and suspicion != JA:
        suspicion = NEE
    whole = " ".join((text or "").lower().split())
    # Doubt whether anything is going on at all outweighs "no firm suspicion" or "she tells
    # nothing alarming" in the same message (doubt takes the cautious branch); a clear "geen
    # vermoeden meer" stays no.
    doubts = _DOUBT.search(" ".join(parts)) and SUSPICION_DOUBT.search(whole) \
        and not any(_DOUBT.search(c) and re.search(rf"\b(acu\w*|structure\w*|{HELP})\b", c) for c in parts)
    if doubts and (suspicion is None or (suspicion == NEE and not NO_SUSPICION_FIRM.search(whole))):
        suspicion = TWIJFEL
    if suspicion:
        facts["afweging_1"] = suspicion

    # Acute and structural unsafety (afweging 2; acute also s1_acuut).
    both = _last_polarity(ACUTE_OR_STRUCTURAL, parts, far=True)
    acute = both or _last_polarity(ACUTE, parts, far=True)
    if acute is None and _last_polarity(NOT_URGENT, parts, far=True) == NEE:
        acute = NEE
    structural = both or _last_polarity(STRUCTURAL, parts, far=True)
    unsafe = _last_polarity(UNSAFE, [c for c in parts if not PARENT_TALK_UNSAFE.search(c)], far=True)
    if unsafe is not None:
        acute = acute if acute is not None else unsafe
        structural = structural if structural is not None else unsafe
    # How long it has been going on answers "structural?" where the danger is weighed: in this
    # message, as the answer to afweging 2, or told earlier in the same story.
    if structural is None and (acute is not None or asked == "afweging_2"):
        structural = _duration(parts)
        for before in reversed(earlier if acute is not None else ()):
            if structural is not None:
                break
            structural = _duration(clauses(before), stated_only=True)
    if structural is None and suspicion == JA and any(ALWAYS_ONGOING.search(c) for c in parts):
        structural = JA  # a suspicion, and "geen eenmalige uitschieter": repeated, so structural
    if structural is None and _duration(parts, stated_only=True) == TWIJFEL:
        structural = TWIJFEL  # "of het vaker gebeurt weten we niet" answers the weighing on its own
    if structural is None and (acute == NEE or asked == "afweging_2" or suspicion == JA) and any(
            NOT_SERIOUS.search(c) and not _DOUBT.search(c) for c in parts):
        structural = NEE  # "een vermoeden, maar niks ernstigs": the danger weighed with the suspicion
        if acute is None and suspicion == JA:
            acute = NEE
    if structural is None and acute in (None, NEE) and _danger_denied(parts):
        acute = structural = NEE  # "ik denk niet dat ze gevaar loopt", "niks gevaarlijks": not now, nor later
    if acute == NEE:
        facts["s1_acuut"] = NEE
    elif acute == TWIJFEL:
        facts["s1_acuut"] = TWIJFEL
    if JA in (acute, structural):
        facts["afweging_2"] = JA
    elif TWIJFEL in (acute, structural):
        facts["afweging_2"] = TWIJFEL
    elif structural == NEE and (acute == NEE or asked == "afweging_2"):
        facts["afweging_2"] = NEE  # asked "acuut of structureel?", "pas sinds de zomer" answers it
    elif acute == NEE and structural is None and re.search(r"\bniet acuut (en|of) (niet )?structureel", " ".join(parts)):
        facts["afweging_2"] = NEE

    # Help (afweging 3), accepted (4), result (5); not what someone advised to do.
    parts = [c[:m.start()] if (m := ADVISED.search(c)) else c for c in parts]
    # "ze wil graag meedoen", asked whether they accept: "ze" is the parents (the first words only:
    # "ze erkende dat het haar niet lukt en stond open voor hulp" is no "niet" about the help).
    said_of_parent = [" ".join(["ouders"] + c.split()[:8]) for c in parts
                      if asked == "afweging_4" and re.match(r"(ze|zij|hij|they|she|he)\b", c)]
    help_possible = _help_possible(parts)
    if help_possible:
        facts["afweging_3"] = help_possible

    accepts = _last_polarity(ACCEPTS, parts + said_of_parent)
    # The help refused may have been offered in an earlier message ("we boden de smw aan" / "ze wil niks").
    refuses = any(REFUSES.search(c) and not NOT_REFUSED.search(c) for c in parts + said_of_parent) and (asked == "afweging_4" or any(
        REFUSAL_CONTEXT.search(c) for c in parts + [" ".join(e.lower().split()) for e in earlier]))
    accept_doubts = [c for c in parts if _DOUBT.search(c) and ACCEPT_DOUBT.search(CONDITION.sub("", c))]
    if accept_doubts:
        facts["afweging_4"] = TWIJFEL
        if facts.get("afweging_3") == TWIJFEL:  # the doubt was about accepting, not about help
            del facts["afweging_3"]
            # What the rest says about help still counts ("het wijkteam kan het geven, maar of
            # moeder het aanneemt weet ik niet").
            help_possible = _help_possible([c for c in parts if c not in accept_doubts])
            if help_possible:
                facts["afweging_3"] = help_possible
    elif refuses:
        facts["afweging_4"] = NEE
    elif accepts in (JA, TWIJFEL):
        facts["afweging_4"] = accepts
    elif accepts == NEE:
        facts["afweging_4"] = NEE
    elif imply_acceptance and _last_polarity(HELP_TAKEN, parts) == JA:
        facts["afweging_4"] = JA

    # The result of help (afweging 5) only where the story speaks of help given and its term.
    if help_given or any(RESULT_CONTEXT.search(c) for c in parts):
        if any(DID_NOT_WORK.search(c) for c in parts):
            facts["afweging_5"] = NEE
        # Any statement of it ("sterk verbeterd, vrolijker en niet meer verzuimd": the last
        # part's "niet" is about the absence, not the result).
        elif any(_polarity(c, m) == JA and not GOAL.search(_part_around(c, m))
                 for c in parts for m in WORKED.finditer(c)):
            facts["afweging_5"] = JA
        # "de doelen zijn gehaald, de jeugdarts heeft geen zorgen meer": the result, not afweging 1.
        if facts.get("afweging_5") == JA and facts.get("afweging_1") == NEE:
            del facts["afweging_1"]

    # What the story implies: help accepted or evaluated could be offered; help that was
    # evaluated was accepted.
    if facts.get("afweging_5") and "afweging_4" not in facts:
        facts["afweging_4"] = JA
    if facts.get("afweging_4") in (JA, NEE) and "afweging_3" not in facts:
        facts["afweging_3"] = JA
        facts.implied_keys.add("afweging_3")
    return facts


def implied(known: Mapping[str, object], facts: Dict[str, str]) -> Dict[str, str]:
    """The facts with what they imply beside what the route already knows: help that was
    evaluated in the meldcode (afweging 5) followed a suspicion, when afweging 1 is still open.
    What read_story only implied never overturns an answer the route has: "die ouders zouden
    alles aannemen" after "er is geen hulp mogelijk" leaves afweging 3 "nee"."""
    overturned = {key for key in getattr(facts, "implied_keys", ())
                  if known.get(key) not in (None, "") and known.get(key) != facts.get(key)}
    if overturned:
        facts = {key: value for key, value in facts.items() if key not in overturned}
    if "afweging_5" in facts and not known.get("afweging_1") and "afweging_1" not in facts:
        return {**facts, "afweging_1": JA}
    return facts


def merge(answers: Mapping[str, object], facts: Mapping[str, str]) -> Dict[str, object]:
    """Answers with the story's facts: a closed answer is updated by a later statement;
    a text answer already given is kept."""
    merged = dict(answers)
    for key, value in facts.items():
        if value == RECORDED_TEXT and merged.get(key) not in (None, ""):
            continue
        merged[key] = value
    return merged


def reaches_weighing(facts: Mapping[str, str]) -> bool:
    """The story is already at the afwegingskader: it states a suspicion (or none), or an
    answer to a later weighing question."""
    return any(key.startswith("afweging_") for key in facts)


_SAY: Dict[str, Dict[str, str]] = {
    "s1_signalen": {JA: "de signalen zijn vastgelegd"},
    "s2_ib": {JA: "je hebt het besproken met je IB'er (of je bent zelf de IB'er)",
              NEE: "je IB'er weet het nog niet"},
    "s2_advies": {JA: "er is advies gevraagd aan Veilig Thuis"},
    "s3_gevoerd": {JA: "het gesprek met de ouders is gevoerd", NEE: "het gesprek met de ouders is nog niet gevoerd"},
    "s3_veilig": {NEE: "een gesprek met de ouders is niet veilig"},
    "s3_vertrek": {JA: "je bent bang dat het gezin vertrekt"},
    "s1_acuut": {NEE: "er is nu geen acuut gevaar", TWIJFEL: "je twijfelt of er acuut gevaar is"},
    "s1_kindcheck": {JA: "bij een ouder speelt iets dat de zorg kan bedreigen"},
    "afweging_1": {JA: "er is een vermoeden", NEE: "er is geen vermoeden (meer)",
                   TWIJFEL: "je twijfelt of er een vermoeden is"},
    "afweging_2": {JA: "het is acuut of structureel onveilig", NEE: "het is niet acuut en niet structureel onveilig",
                   TWIJFEL: "je twijfelt of het acuut of structureel onveilig is"},
    "afweging_3": {JA: "er is passende hulp mogelijk", NEE: "er is geen passende hulp mogelijk",
                   TWIJFEL: "je twijfelt of passende hulp mogelijk is"},
    "afweging_4": {JA: "de ouders aanvaarden de hulp", NEE: "de ouders houden de hulp af",
                   TWIJFEL: "je twijfelt of de ouders de hulp aanvaarden"},
    "afweging_5": {JA: "de hulp leidde tot de afgesproken resultaten", NEE: "de hulp leidde niet tot de afgesproken resultaten"},
}


def understood(facts: Mapping[str, str]) -> List[str]:
    """The facts as short Dutch lines, in the route's order, for "Ik begrijp: …"."""
    lines: List[str] = []
    for key in _SAY:
        value = facts.get(key)
        if key == "s1_signalen" and value is not None:
            value = JA
        line = _SAY[key].get(str(value)) if value is not None else None
        if line:
            lines.append(line)
    return lines


# "Die acht weken zijn voorbij": the agreed term is over (afweging 5 is due), not a new term.
TERM_OVER = re.compile(r"\b(zijn|is|waren|was) (nu |inmiddels )?(om|voorbij|verstreken|afgelopen)\b|"
                       r"\b(weken|maanden|termijn|periode) (zijn|is|waren|was) (\w+ ){0,3}(om|voorbij|verstreken|afgelopen)\s*([.,;!]|$)|\b(weken|maanden) verder\b|\btermijn (is )?(om|voorbij|verstreken)\b")


def term_is_over(text: str) -> bool:
    return bool(TERM_OVER.search((text or "").lower()))
