"""Reading a story into route answers (actions/meldcode_story.py): a table of texts and the
answers they state. Pure functions: no model, no servers."""
from __future__ import annotations

import pytest

from actions.meldcode_logic import Decision
from actions.meldcode_route import Status, walk
from actions.meldcode_story import (RECORDED_TEXT, implied, merge, reaches_weighing, read_story, term_is_over,
                                    understood)

# text -> the answers it must give (a subset of what read_story returns), and keys it must not set.
TABLE = [
    ("signalen zijn vastgelegd, besproken met de IB",
     {"s1_signalen": RECORDED_TEXT, "s2_ib": "ja"}, []),
    ("ik heb alles in parnassys gezet en de intern begeleider weet ervan",
     {"s1_signalen": RECORDED_TEXT, "s2_ib": "ja"}, []),
    ("de ib'er weet het nog niet, die is ziek", {"s2_ib": "nee"}, []),
    ("ik ben zelf de IB'er van deze school", {"s2_ib": "ja"}, []),
    ("oudergesprek gehad, moeder werd boos",
     {"s3_gevoerd": "ja", "s3_veilig": "ja", "s3_vertrek": "nee"}, []),
    ("we hebben de ouders nog niet gesproken", {"s3_gevoerd": "nee"}, ["s3_veilig"]),
    ("ja, we hebben een vermoeden", {"afweging_1": "ja"}, []),
    ("we hebben geen vermoeden meer, er bleek een goede verklaring", {"afweging_1": "nee"}, []),
    ("ik twijfel of er echt iets aan de hand is", {"afweging_1": "twijfel"}, []),
    ("ik twijfel of het acuut is", {"afweging_2": "twijfel", "s1_acuut": "twijfel"}, ["afweging_1"]),
    ("niet acuut en niet structureel", {"afweging_2": "nee", "s1_acuut": "nee"}, []),
    ("niet acuut, wel structureel: het blijft zich herhalen", {"afweging_2": "ja"}, []),
    ("acuut of structureel onveilig schatten we het niet in", {"afweging_2": "nee"}, []),
    ("het wijkteam kan een gezinscoach inzetten en de ouders staan open voor hulp",
     {"afweging_3": "ja", "afweging_4": "ja"}, []),
    ("er is geen passende hulp mogelijk in hun gemeente", {"afweging_3": "nee"}, []),
    ("de hulp heeft een wachtlijst van maanden, ik twijfel of dat op tijd komt", {"afweging_3": "twijfel"}, []),
    ("vader weigert elke vorm van hulp, hij zegt dat we ons er niet mee moeten bemoeien",
     {"afweging_4": "nee", "afweging_3": "ja"}, []),
    ("de termijn is om en de hulp heeft niet geholpen, er is niets veranderd",
     {"afweging_5": "nee", "afweging_4": "ja"}, []),
    ("bij de evaluatie bleek dat de doelen zijn gehaald, het gaat een stuk beter",
     {"afweging_5": "ja"}, []),
    ("ze werken ni mee met de gezinscoach", {"afweging_4": "nee"}, []),
    # A question the writer answers, and the "X: ja" form.
    ("vermoeden van mishandeling? nee, niet meer eigenlijk", {"afweging_1": "nee"}, []),
    ("Vermoeden: ja. Acuut of structureel: nee, vinden we niet.", {"afweging_1": "ja", "afweging_2": "nee"}, []),
    ("als we twijfelen of het acuut is, moeten we dan melden?", {}, ["afweging_2"]),
    # A negation further on in the sentence (issue 14, round 4): "… is geen sprake", "… zien we niet".
    ("Van acute of structurele onveiligheid is volgens ons team geen sprake.", {"afweging_2": "nee"}, []),
    ("Acuut of structureel onveilig vinden we het op basis van wat we nu weten eigenlijk niet",
     {"afweging_2": "nee"}, []),
    ("acuut is het volgens mij op dit moment niet", {"s1_acuut": "nee"}, ["afweging_2"]),
    ("het is structureel onveilig omdat het nooit stopt", {"afweging_2": "ja"}, []),
    ("er is een gesprek geweest met vader en de ib", {"s3_gevoerd": "ja", "s2_ib": "ja"}, []),
    ("moeder vertelde in het gesprek dat hij thuis niet luistert", {"s3_gevoerd": "ja"}, []),
    # Typos in the words that state a fact.
    ("ons vermoden is dat er thuis iets mis is", {"afweging_1": "ja"}, []),
    ("de signalen zijn vastgelgd en besprokn met de ib", {"s1_signalen": RECORDED_TEXT, "s2_ib": "ja"}, []),
    ("het oudergesprk is geweest", {"s3_gevoerd": "ja"}, []),
    # Doubt whether there is a suspicion at all.
    ("we weten eigenlijk niet of er sprake is van een vermoeden", {"afweging_1": "twijfel"}, []),
    # Help in other words: a verb, compounds, English.
    ("de schoolmaatschappelijk werker kan hem helpen", {"afweging_3": "ja"}, []),
    ("er is een weerbaarheidstraject en oudercoaching beschikbaar via de gemeente", {"afweging_3": "ja"}, []),
    ("vader en moeder hebben het aanmeldformulier getekend", {"afweging_4": "ja"}, []),
    ("the parents agreed to the referral to the wijkteam", {"afweging_4": "ja"}, []),
    ("of vader de hulp echt aanneemt durf ik niet te zeggen", {"afweging_4": "twijfel"}, ["afweging_3"]),
    # Help that did not work, said plainly.
    ("de gezinscoach komt al twee maanden maar het wordt niet beter", {"afweging_5": "nee"}, []),
    ("de kinderen komen nog steeds zonder lunch, ondanks de hulp", {"afweging_5": "nee"}, []),
    # Ongoing, set against "not acute": structural unsafety in the writer's words.
    ("acuut is het niet, maar het speelt al maanden", {"afweging_2": "ja", "s1_acuut": "nee"}, []),
    ("geen acuut gevaar, maar het is ook geen eenmalig iets: het gebeurt steeds weer", {"afweging_2": "ja"}, []),
    ("ik zie dit al weken bij hem", {}, ["afweging_2"]),
    # A question the writer answers with doubt; yes said in other words; help that is not there.
    ("is het nou structureel onveilig? daar komen we als team niet uit", {"afweging_2": "twijfel"}, []),
    ("gaan de ouders echt meedoen? weet ik niet", {"afweging_4": "twijfel"}, []),
    ("moeder zei er meteen ja op toen de smw hulp aanbood", {"afweging_4": "ja"}, []),
    ("we hebben geen enkele aanwijzing meer voor mishandeling", {"afweging_1": "nee"}, []),
    ("een wijkteam hebben we hier niet en zelf kunnen we niks organiseren", {"afweging_3": "nee"}, []),
    ("de hulp heeft niet gewerkt, thuis is het net als vroeger", {"afweging_5": "nee"}, []),
    ("de afspraken met de gezinscoach zijn niet nagekomen en het verzuim is toegenomen", {"afweging_5": "nee"}, []),
    ("vader stond open voor de gezinscoach", {"afweging_4": "ja", "afweging_3": "ja"}, []),
    ("moeder heeft zich al aangemeld bij het opvoedtraject van het wijkteam", {"afweging_4": "ja"}, []),
    ("gesprek gehad, vader zei dat we ons er niet mee moeten bemoeien", {"s3_gevoerd": "ja"}, ["afweging_4"]),
    ("bij de evaluatie van de hulp was iedereen tevreden, hij functioneert weer goed", {"afweging_5": "ja"}, []),
    ("is het een fase of zit er meer achter? ik weet het echt niet", {"afweging_1": "twijfel"}, []),
    ("vandaag niet acuut, maar het houdt niet op", {"afweging_2": "ja"}, []),
    # Round 5's classes: danger and duration in everyday words, doubt and suspicion in English.
    ("niet dat ze nu in gevaar is, en het is ook niet al jaren zo", {"s1_acuut": "nee", "afweging_2": "nee"}, []),
    ("niks acuuts, maar het gebeurt steeds opnieuw", {"afweging_2": "ja"}, []),
    ("of het structureel is weet ik eerlijk gezegd niet", {"afweging_2": "twijfel"}, []),
    ("I really don't know of er een vermoeden is", {"afweging_1": "twijfel"}, []),
    ("wij denken dat hier huiselijk geweld speelt", {"afweging_1": "ja"}, []),
    ("we do think there's neglect going on", {"afweging_1": "ja"}, []),
    ("geen acuut gevaar en ook geen langdurig patroon", {"afweging_2": "nee"}, []),
    ("niet acuut, het speelt pas sinds de zomer", {"afweging_2": "nee"}, []),
    ("ik zou niet zeggen dat hij in gevaar is of dat het al jaren zo gaat", {"afweging_2": "nee"}, []),
    ("acuut of al jaren zo? nee, dat niet", {"afweging_2": "nee"}, []),
    # Round 6's classes. No acute danger said as "nothing has to happen now" or "no danger":
    ("er is niets waarvoor we vandaag direct iets hoeven te regelen", {"s1_acuut": "nee"}, []),
    ("er is niks wat nu meteen moet gebeuren", {"s1_acuut": "nee"}, []),
    ("hij loopt op dit moment geen gevaar", {"s1_acuut": "nee"}, []),
    ("gevaar is er volgens ons nu niet", {"s1_acuut": "nee"}, []),
    ("voor vandaag maak ik me niet direct zorgen", {"s1_acuut": "nee"}, []),
    ("nothing urgent at the moment", {"s1_acuut": "nee"}, []),
    ("hij loopt gevaar als hij vanmiddag naar huis gaat", {"afweging_2": "ja"}, []),
    # ... and only recently, or once, as not structural; "not something of lately" as structural.
    ("ze loopt geen gevaar en het begon pas na de verhuizing", {"afweging_2": "nee"}, []),
    ("niks wat vandaag moet, en het was voor zover we weten een eenmalig incident", {"afweging_2": "nee"}, []),
    ("geen direct gevaar; volgens vader is het de eerste keer dat het zo uit de hand liep", {"afweging_2": "nee"}, []),
    ("niet acuut, en het speelt nog maar kort", {"afweging_2": "nee"}, []),
    ("niet acuut, het speelt pas een paar weken", {"afweging_2": "nee"}, []),
    ("geen gevaar nu, en het is niet iets wat vaker gebeurt", {"afweging_2": "nee"}, []),
    ("niet acuut, maar dit is echt niet iets van het laatste half jaar", {"afweging_2": "ja"}, []),
    ("er hoeft vandaag niks te gebeuren, maar het houdt gewoon niet op", {"afweging_2": "ja"}, []),
    ("niet acuut, wel al zo sinds groep 3", {"afweging_2": "ja"}, []),
    ("niks wat direct moet, alleen of dit vaker gebeurt weet ik echt niet", {"afweging_2": "twijfel"}, []),
    # A suspicion as a feeling; doubt whether anything is going on outweighs "nothing alarming".
    ("ik heb sterk het gevoel dat hij thuis verwaarloosd wordt", {"afweging_1": "ja"}, []),
    ("we think something is going on at home", {"afweging_1": "ja"}, []),
    ("geen hard vermoeden, maar ik weet gewoon niet of er thuis meer speelt", {"afweging_1": "twijfel"}, []),
    ("ik weet echt niet of dit normaal gedrag is of een signaal; ze vertelt zelf niets verontrustends",
     {"afweging_1": "twijfel"}, []),
    ("I can't tell whether this is neglect or just a busy family", {"afweging_1": "twijfel"}, []),
    # No suspicion (any more) in other words; trouble before or elsewhere is not "no suspicion".
    ("we denken allebei dat er van verwaarlozing geen sprake is", {"afweging_1": "nee"}, []),
    ("er is eigenlijk geen zorg meer over de thuissituatie", {"afweging_1": "nee"}, []),
    ("het speelt sinds de scheiding, daarvoor was er niks aan de hand", {}, ["afweging_1"]),
    ("op zijn vorige school was er niks aan de hand", {}, ["afweging_1"]),
    # Help that nobody can give; help wanted in Flemish; help that changed nothing.
    ("als school kunnen we dit zelf niet oppakken en niemand anders kan iets doen", {"afweging_3": "nee"}, []),
    ("de mama wou graag hulp van het CAW", {"afweging_4": "ja"}, []),
    ("de tien weken zijn voorbij en er is niks beter geworden voor de kinderen", {"afweging_5": "nee"}, []),
    # Round 7's classes: nothing bad expected soon; "maar" as "just"; care the child misses as a
    # suspicion; doubt about help over help that seems impossible; refusing in other words.
    ("ik verwacht niet dat er vanavond iets ergs gebeurt, maar het komt maar steeds terug",
     {"s1_acuut": "nee", "afweging_2": "ja"}, []),
    ("vandaag is er niks bijzonders en het blijft maar gebeuren", {"afweging_2": "ja"}, []),
    ("wij denken dat hij thuis niet de zorg krijgt die hij nodig heeft", {"afweging_1": "ja"}, []),
    ("we denken niet dat hij thuis te weinig zorg krijgt", {}, ["afweging_1"]),
    ("het wijkteam heeft een wachtlijst en ik weet echt niet of iemand nu hulp kan bieden", {"afweging_3": "twijfel"}, []),
    ("het wijkteam zegt dat ze daar niks kunnen doen", {"afweging_3": "nee"}, []),
    ("de smw bood hulp aan, maar vader zegt dat hij nergens aan meewerkt", {"afweging_4": "nee"}, []),
    ("moeder wil geen hulpverlening over de vloer", {"afweging_4": "nee", "afweging_3": "ja"}, []),
    ("ik twijfel echt of er wel iets is thuis", {"afweging_1": "twijfel"}, []),
    ("we think she is being neglected, but it's not an emergency", {"afweging_1": "ja", "s1_acuut": "nee"}, []),
    # Round 8's classes. Unsafety in the protocol's own word, without "acuut" or "structureel":
    # both at once. Danger denied without "now" likewise; "now" keeps it to acute danger.
    ("onveilig vinden we het thuis niet, wel zorgelijk", {"afweging_2": "nee"}, []),
    ("het is daar echt niet onveilig, alleen erg rommelig", {"afweging_2": "nee"}, []),
    ("we vinden het niet onveilig genoeg om te melden", {"afweging_2": "nee"}, []),
    ("wij denken dat hij thuis onveilig is", {"afweging_2": "ja"}, []),
    ("we don't think he is unsafe at home", {"afweging_2": "nee"}, []),
    ("praten met vader is onveilig voor de juf", {"s3_veilig": "nee"}, ["afweging_2"]),
    ("ik denk niet dat het meisje gevaar loopt", {"afweging_2": "nee"}, []),
    ("direct gevaar is er niet", {"s1_acuut": "nee"}, ["afweging_2"]),
    # A suspicion in the words of the act; the fear that it happens again (a threat of it).
    ("we denken eigenlijk wel dat hij thuis wordt geslagen", {"afweging_1": "ja"}, []),
    ("ik ben bang dat zijn stiefvader hem slaat", {"afweging_1": "ja"}, []),
    ("we zijn bang dat het weer gebeurt als vader boos wordt", {"afweging_1": "ja"}, []),
    ("ik vrees dat dit opnieuw kan gebeuren", {"afweging_1": "ja"}, []),
    ("ik ben bang dat het weer gaat regenen op de sportdag", {}, ["afweging_1"]),
    ("we denken niet meer dat er thuis iets mis is", {"afweging_1": "nee"}, []),
    ("there's no reason any more to think anything is wrong at home", {"afweging_1": "nee"}, []),
    # How often, in English; doubt about it answers the weighing without more.
    ("no immediate danger and it only happened once", {"afweging_2": "nee"}, []),
    ("not urgent, but it keeps happening", {"afweging_2": "ja"}, []),
    ("we see no acute danger and it isn't something that happens all the time", {"afweging_2": "nee"}, []),
    ("of dit vaker gebeurt weten we echt niet", {"afweging_2": "twijfel"}, []),
    # Help nobody can give, refusing, doubt about accepting and the result, in other words.
    ("there is nothing we or the wijkteam can offer them", {"afweging_3": "nee"}, []),
    ("onze smw kan daar niks mee, hij zit op een andere school", {"afweging_3": "nee"}, []),
    ("father is not cooperating with the parenting course at all", {"afweging_4": "nee"}, []),
    ("vader weigerd de hulp van het wijkteam", {"afweging_4": "nee"}, []),
    ("of moeder daar op in gaat weet ik niet", {"afweging_4": "twijfel"}, []),
    ("geen idee of vader ja gaat zeggen tegen de gezinscoach", {"afweging_4": "twijfel"}, []),
    ("since the training it is much calmer at home", {"afweging_5": "ja"}, []),
    ("the goals of the help have been met", {"afweging_5": "ja"}, []),
    ("the coaching didn't help, nothing has changed", {"afweging_5": "nee"}, []),
    # Round 9's classes: "not dangerous" as a denial of both; "not long yet", "of the last weeks"
    # as not structural; "nothing will happen tonight"; "no incident" as ongoing; help "aangenomen".
    ("het is niet gevaarlijk thuis, wel rommelig", {"afweging_2": "nee", "s1_acuut": "nee"}, []),
    ("not dangerous, just chaotic at home", {"afweging_2": "nee"}, []),
    ("acuut is het niet en het speelt nog niet zo lang", {"afweging_2": "nee"}, []),
    ("niks acuuts, het lijkt iets van de laatste weken", {"afweging_2": "nee"}, []),
    ("niet acuut, en dit is niet iets van de laatste weken", {"afweging_2": "ja"}, []),
    ("ik verwacht niet dat er vanavond iets gebeurt, maar dit is geen incident", {"s1_acuut": "nee", "afweging_2": "ja"}, []),
    ("moeder heeft het aanbod van de gezinscoach na een week bedenktijd aangenomen", {"afweging_4": "ja"}, []),
    ("Veilig Thuis hebben we nog niet gebeld", {}, ["s1_medewerker"]),  # the name, not home
    # Round 10's classes: "not something of years", "no repetition", "not something that keeps
    # happening" as not structural; "nobody thinks any more that something is wrong" and
    # "nothing that points to neglect" as no suspicion.
    ("geen direct gevaar en ook niet iets van jaren", {"afweging_2": "nee", "s1_acuut": "nee"}, []),
    ("hij loopt nu geen gevaar en we zien geen herhaling", {"afweging_2": "nee"}, []),
    ("het is niet acuut en het is niet iets dat steeds gebeurt", {"afweging_2": "nee"}, []),
    ("eigenlijk denkt niemand van het team nog dat het thuis niet goed zit", {"afweging_1": "nee"}, []),
    ("we zien niets meer wat op mishandeling of verwaarlozing wijst", {"afweging_1": "nee"}, []),
    # A suspicion as "het zit thuis niet goed"; with it, "geen eenmalige uitschieter" is the
    # repetition that makes it structural.
    ("de ib en ik denken echt dat het thuis niet goed zit", {"afweging_1": "ja"}, []),
    ("we denken dat het thuis niet in orde is en het is geen eenmalige uitschieter",
     {"afweging_1": "ja", "afweging_2": "ja"}, []),
    ("het houdt niet op, hij komt weer zonder eten", {}, ["afweging_2"]),  # signals, no weighing
    # Round 11's classes: unsafety denied in a "situatie waarin …" clause; "every day" as
    # ongoing; "not so serious that …" as neither acute nor structural; help the school cannot
    # arrange in other words; words in quotes are someone else's; help that took place was
    # accepted; taking part as accepting; not turning up as refusing; a result among other news.
    ("geen situatie waarin ze thuis voortdurend onveilig is, en acuut ook niet", {"afweging_2": "nee"}, []),
    ("niet acuut, maar wel iedere dag hetzelfde", {"afweging_2": "ja"}, []),
    ("acuut niet, en het is ook niet elke dag raak", {"afweging_2": "nee"}, []),
    ("geen direct gevaar, maar of het vaker gebeurd weet ik niet", {"afweging_2": "twijfel"}, []),
    ("acuut is het niet en ook niet zo ernstig dat we meteen moeten melden", {"afweging_2": "nee"}, []),
    ("onze smw kan hier niks mee en hulp organiseren lukt ons niet", {"afweging_3": "nee"}, []),
    ("de begeleiding die nodig is valt buiten de mogelijkheden van het wijkteam", {"afweging_3": "nee"}, []),
    ("hij zegt dat hij thuis 'niks goed kan doen'", {}, ["afweging_3"]),
    ("moeder wil dat allemaal heel graag", {"afweging_4": "ja"}, []),
    ("beide ouders deden heel goed mee met de oudercursus", {"afweging_4": "ja", "afweging_3": "ja"}, []),
    ("ze kwamen steeds niet opdagen bij de gezinscoach", {"afweging_4": "nee"}, []),
    ("er kwam een gezinshulp over de vloer en vader ging naar therapie", {"afweging_3": "ja", "afweging_4": "ja"}, []),
    ("bij de evaluatie was het veel beter: ze lacht weer en heeft sindsdien niet meer gemist", {"afweging_5": "ja"}, []),
    ("die drie maanden zijn voorbij en het gaat echt goed met hem", {"afweging_5": "ja"}, []),
    ("ze zegt dat ze het wil proberen maar ik twijfel of ze het volhoudt", {"afweging_4": "twijfel"}, []),
    ("acuut is het niet en we beschouwen het ook niet als een gezin waarin hij onveilig is", {"afweging_2": "nee"}, []),
    ("na de evaluatie: ze zit een stuk beter in haar vel en het doel is gehaald", {"afweging_5": "ja"}, []),
    ("de ouders hebben gezegd dat ze dat graag willen", {"afweging_4": "ja"}, []),
    ("moeder vertelde over de verhuizing en ik wil heel graag weten wat nu", {}, ["afweging_4"]),
    ("het wijkteam kan ze begeleiden en de eerste afspraak is al gemaakt", {"afweging_3": "ja", "afweging_4": "ja"}, []),
    ("de inschrijving via de app ging veel beter dan vorig jaar, al kwamen twee gezinnen niet opdagen",
     {}, ["afweging_4", "afweging_5"]),  # calm news about the parents' evening
    # Round 12's classes: a suspicion after "denken/gevoel dat" in other words (filler words,
    # "een tik", "scheef", "dreiging", "niet veilig", harm the child suffers); no signs of one
    # form is no denial of all; Flemish "gene"; "gevaar, nee"; "dringend" advice is no danger.
    ("we denken daarom dat hij thuis met de riem geslagen wordt", {"afweging_1": "ja"}, []),
    ("ik denk wel dat zij thuis regelmatig een klap krijgt", {"afweging_1": "ja"}, []),
    ("we dachten echt dat het voor hem thuis niet goed was", {"afweging_1": "ja"}, []),
    ("de ib denkt dat er thuis iets scheef loopt tussen vader en de kinderen", {"afweging_1": "ja"}, []),
    ("ik vind dat er thuis wel degelijk dreiging is voor de jongste", {"afweging_1": "ja"}, []),
    ("we denken dat het bij hen thuis niet veilig is", {"afweging_1": "ja"}, []),
    ("ik heb sterk de indruk dat de jongen schade oploopt door alle spanning", {"afweging_1": "ja"}, []),
    ("mijn gevoel is dat hij er erg onder lijdt", {"afweging_1": "ja"}, []),
    ("naar mijn inschatting komen de kinderen daar emotioneel tekort", {"afweging_1": "ja"}, []),
    ("ik heb niet het idee dat ze eronder lijdt", {}, ["afweging_1"]),
    ("slaan doet vader niet, daar zien we ook geen aanwijzingen voor", {}, ["afweging_1"]),
    ("geen aanwijzingen voor fysiek geweld, wel veel spanning thuis", {}, ["afweging_1"]),
    ("ik heb gene zorgen meer over dat gezin", {"afweging_1": "nee"}, []),
    ("acuut gevaar, nee, dat zie ik niet", {"s1_acuut": "nee"}, []),
    ("directe dreiging of gevaar nee, en het is ook niet telkens raak", {"afweging_2": "nee"}, []),
    ("de schoolarts vraagt dringend om een afspraak bij de kinderarts", {}, ["afweging_2", "s1_acuut"]),
    # Ongoing as "aanhoudend"; doubt about how often as "daar heb ik geen zicht op".
    ("geen acuut gevaar, maar het is wel een aanhoudende situatie", {"afweging_2": "ja"}, []),
    ("niet acuut en niet als aanhoudend ingeschat", {"afweging_2": "nee"}, []),
    ("of het iedere week gebeurt, daar hebben we geen zicht op", {"afweging_2": "twijfel"}, []),
    ("we krijgen als school geen zicht op hoe het thuis loopt en zelf kunnen we niks regelen", {"afweging_3": "nee"}, []),
    # Doubt whether the school can do it; help that is not there; accepting and refusing in
    # other words (refusal of help offered in an earlier message); help that changed nothing.
    ("ik weet echt niet of wij dat als school kunnen opvangen", {"afweging_3": "twijfel"}, []),
    ("we twijfelen of wat de smw kan bieden wel genoeg is", {"afweging_3": "twijfel"}, []),
    ("dat kunnen we zelf echt niet oplossen, en er is ook niemand anders", {"afweging_3": "nee"}, []),
    ("in deze regio is er helaas niks beschikbaar", {"afweging_3": "nee"}, []),
    ("moeder wil zelf graag naar een oudertraining", {"afweging_4": "ja"}, []),
    ("ze hebben er samen voor getekend bij het wijkteam", {"afweging_4": "ja"}, []),
    ("hij gaf aan dat hij best hulp wilde", {"afweging_4": "ja"}, []),
    ("de bso-juf heeft een mooie tekening gemaakt", {}, ["afweging_4"]),
    ("voor de sportdag zoeken we ouders die willen helpen bij de spelletjes", {}, ["afweging_4"]),
    ("de opvoedcoach komt al weken, maar het is thuis precies zoals het was", {"afweging_5": "nee"}, []),
    ("de gesprekken met de smw leveren echt niks op", {"afweging_5": "nee"}, []),
    # Unsafety weighed and help refused in English.
    ("we see no acute risk and it is not structural either", {"afweging_2": "nee"}, []),
    ("not acute, but structurally unsafe for sure", {"afweging_2": "ja"}, []),
    ("his mum refuses every appointment we make", {"afweging_4": "nee"}, []),
    # Help refused by a parent named as a pronoun ("ze aanvaarden die niet") or as a ban.
    ("er is een coach beschikbaar, maar ze aanvaarden dat niet", {"afweging_4": "nee"}, []),
    ("moeder staat ervoor open, maar vader verbiedt elke hulpverlener in huis", {"afweging_4": "nee"}, []),
    # Doubt whether there is a suspicion, as "of er sprake is van …"; a parent's own denial is
    # what the parent says, not the school's weighing.
    ("ik kan niet zeggen of hier sprake is van huiselijk geweld of van een moeilijke periode",
     {"afweging_1": "twijfel"}, []),
    ("vader zegt dat er thuis niks aan de hand is", {}, ["afweging_1"]),
    ("moeder herkent het wel, maar zegt dat er niets aan de hand is", {}, ["afweging_1"]),
    ("volgens ons is er niets aan de hand", {"afweging_1": "nee"}, []),
    # Acceptance after "het ligt niet aan …": the "niet" says whose fault it is not.
    ("het ligt echt niet aan de ouders, die willen alle hulp aannemen", {"afweging_4": "ja"}, []),
    ("en nee, het zit niet aan vader, die wil alle hulp aannemen", {"afweging_4": "ja"}, []),
    # A pattern that "blijft maar terugkomen" ("maar" as "just"); the result in other word
    # orders: what was agreed is reached, it goes better.
    ("we hebben een vermoeden en het blijft maar terugkomen", {"afweging_2": "ja"}, []),
    ("de termijn is om en wat we hadden afgesproken is allemaal bereikt", {"afweging_5": "ja"}, []),
    ("de periode is voorbij; vader zegt dat het met de hulp thuis een stuk beter gaat", {"afweging_5": "ja"}, []),
    # Not facts: a question about the protocol, calm school talk, and help mentioned in passing.
    ("wat is het afwegingskader?", {}, ["afweging_1", "afweging_2"]),
    ("twee ouders hebben afgezegd als begeleider voor de schoolreis", {}, ["afweging_4"]),
    ("het gaat goed met haar op school, ze heeft veel vriendjes", {}, ["afweging_5"]),
    # Round 14's classes. The scope of a denial: "X: nee" with a word between, "(nog) niet".
    ("acute of structurele onveiligheid: nee, er is geen gevaar en het begon pas vorige maand",
     {"afweging_2": "nee", "s1_acuut": "nee"}, []),
    ("acuut? nee. structureel onveilig vinden wij het (voorlopig) niet",
     {"afweging_2": "nee", "s1_acuut": "nee"}, []),
    # A suspicion with the thinkers named between the verb and "dat".
    ("daarom vinden de leerkracht en de ib'er samen dat er sprake is van verwaarlozing",
     {"afweging_1": "ja"}, []),
    # Denied with a "niet" that may belong to what follows: not read ("… niet dat ze onveilig is, er wordt niet geslagen").
    ("het vermoeden is er, ja. we denken niet dat het thuis gevaarlijk is, want vader slaat haar nooit",
     {"afweging_1": "ja"}, []),
    # Doubt whether there is anything at all, in other words.
    ("ik weet het echt niet; misschien is het een fase, het kan ook iets ergers zijn",
     {"afweging_1": "twijfel"}, []),
    ("wij durven nog niet te zeggen dat het om een vermoeden van verwaarlozing gaat", {"afweging_1": "twijfel"}, []),
    ("moeilijk te zeggen: misschien speelt er thuis iets, misschien is het een fase",
     {"afweging_1": "twijfel"}, ["afweging_2"]),
    # Structural, said by how long it goes on or how it keeps coming back.
    ("geen acuut gevaar, maar omdat het zich elke week herhaalt maken we ons zorgen",
     {"afweging_2": "ja", "s1_acuut": "nee"}, []),
    ("niet acuut, maar gezien de duur wel zorgelijk", {"afweging_2": "ja", "s1_acuut": "nee"}, []),
    ("geen direct gevaar, maar dit gaat nu al drie jaar zo", {"afweging_2": "ja", "s1_acuut": "nee"}, []),
    # English: a question answered "no", no suspicion, help that did not work.
    ("is it acute or structural? no. we do suspect neglect though", {"afweging_1": "ja", "afweging_2": "nee"}, []),
    ("honestly we do not believe anything is wrong at home", {"afweging_1": "nee"}, []),
    ("after ten weeks the coaching has not helped and things are getting worse", {"afweging_5": "nee"}, []),
    # A term and a goal set is no result yet.
    ("de ouders tekenden voor de gezinscoach; we spraken acht weken af, dan zou ze rustiger moeten zijn",
     {"afweging_4": "ja"}, ["afweging_5"]),
    ("the term we set is two months; by then he should sleep better", {}, ["afweging_5"]),
    # The result of help with no worries left is the result (afweging 5), not "no suspicion".
    ("na twaalf weken hebben we geëvalueerd, het doel is bereikt en er zijn geen zorgen meer",
     {"afweging_5": "ja"}, ["afweging_1"]),
    # Veilig Thuis's advice is what to do, not help that is there.
    ("vt gaf ons als advies om de ouders een gezinscoach aan te bieden",
     {"s2_advies": "ja"}, ["afweging_3", "afweging_4"]),
    # Acceptance and refusal in other words.
    ("vader staat er wel voor open", {"afweging_4": "ja"}, []),
    ("vader maakt er graag gebruik van", {"afweging_4": "ja"}, []),
    ("de ouders hebben het wijkteam steeds afgehouden", {"afweging_4": "nee"}, []),
    # Doubt whether the helpers can do anything, on a condition about a parent: help (afweging 3).
    ("de gezinscoach weet niet of ze iets kan bereiken zolang de stiefvader niet meewerkt", {"afweging_3": "twijfel"},
     ["afweging_4"]),
    # Whether the parent takes the help, and the doubt in the next sentence.
    ("en of vader de training ook volhoudt. we weten het eerlijk gezegd niet", {"afweging_4": "twijfel"}, []),
    # Help stated, and doubt whether the parent takes it: both read.
    ("de smw kan gesprekken met moeder regelen, dat staat klaar. maar of moeder daar echt op ingaat weet ik niet",
     {"afweging_3": "ja", "afweging_4": "twijfel"}, []),
    # "Wat we niet weten is …" is a statement; "akuut" is "acuut"; one parent came, the other not.
    ("wat wij niet weten is of het vaker gebeurt", {"afweging_2": "twijfel"}, []),
    ("akute onveiligheid zie ik niet, en het loopt pas twee weken", {"afweging_2": "nee", "s1_acuut": "nee"}, []),
    ("we hebben met vader gepraat, moeder kwam niet", {"s3_gevoerd": "ja"}, []),
    ("moeder kwam niet op het gesprek", {"s3_gevoerd": "nee"}, []),
    # A suspicion "but nothing serious": the danger weighed with it (neither acute nor structural).
    ("we vermoeden wel verwaarlozing, maar niks ernstigs, het is pas net begonnen",
     {"afweging_1": "ja", "afweging_2": "nee"}, []),
    ("het is niks ernstigs hoor", {}, ["afweging_2"]),
    ("bij de evaluatie bleek het: de coaching heeft echt gewerkt", {"afweging_5": "ja"}, []),
    # More of the same classes: a quoted yes, "al langer", "werkt dus gewoon niet", nothing cancelled yet.
    ("vader zei direct: 'ja hoor, doen we'", {"afweging_4": "ja"}, []),
    ("het speelt ook niet al langer, en gevaar is er nu niet; wel een vermoeden",
     {"afweging_1": "ja", "afweging_2": "nee"}, []),
    ("de termijn is om en de coaching helpt dus gewoon niet", {"afweging_5": "nee"}, []),
    ("tot nu toe is er niets geweigerd, maar onzeker of de ouders het gaan doen",
     {"afweging_4": "twijfel"}, []),
    # "contact opgenomen" is contacting someone, not a parent admitted.
    ("met de huisarts hebben we contact opgenomen", {}, ["s1_kindcheck"]),
    ("moeder is opgenomen in het ziekenhuis", {"s1_kindcheck": "ja"}, []),
    # Steps in other words.
    ("onze zorgcoördinator treedt op als casushouder", {"s2_ib": "ja"}, []),
    ("our zorgteam got involved early, and veilig thuis gave advice by phone",
     {"s2_ib": "ja", "s2_advies": "ja"}, []),
    ("bij vader en moeder hebben we sinds de zomer drie gesprekken gehad", {"s3_gevoerd": "ja"}, []),
    ("tijdens ons gesprek gaf vader toe dat hij soms te hard optreedt", {"s3_gevoerd": "ja"}, []),
]


@pytest.mark.parametrize("text, expected, absent", TABLE)
def test_a_story_states_these_answers(text, expected, absent):
    facts = read_story(text)
    assert {k: facts.get(k) for k in expected} == expected, facts
    assert not set(absent) & set(facts), facts


def test_a_story_told_in_turns_reaches_the_outcome_of_the_afwegingskader():
    turns = ["een leerling komt al weken zonder eten en in vieze kleren",
             "alles is vastgelegd en met de IB besproken",
             "oudergesprek gehad, moeder erkent dat het thuis niet lukt",
             "we hebben een vermoeden van verwaarlozing, niet acuut en niet structureel",
             "de smw kan het wijkteam inschakelen en moeder wil dat graag"]
    answers: dict = {}
    for turn in turns:
        answers = merge(answers, read_story(turn))
    assert reaches_weighing(answers)
    state = walk(answers, 4)
    # Afweging 4 ja: help is organised, afweging 5 follows after the agreed term.
    assert state.outcome.decision is Decision.ORGANISE_HELP and state.status is Status.ASK


def test_doubt_is_never_read_as_no():
    for text in ["ik weet niet of het acuut is", "twijfel of ouders de hulp aanvaarden",
                 "weet ik eigenlijk niet of er een vermoeden is"]:
        answers = {k: v for k, v in read_story(text).items() if k.startswith("afweging") or k == "s1_acuut"}
        assert answers and "nee" not in answers.values(), text


def test_what_was_understood_is_said_in_short_dutch_lines():
    lines = understood(read_story("met de ib besproken, oudergesprek gehad, we hebben een vermoeden"))
    assert lines == ["je hebt het besproken met je IB'er (of je bent zelf de IB'er)",
                     "het gesprek met de ouders is gevoerd", "er is een vermoeden"]


def test_a_later_statement_corrects_an_earlier_one_but_a_text_answer_stays():
    answers = merge({"s1_signalen": "blauwe plek op de arm", "afweging_1": "twijfel"},
                    {"s1_signalen": RECORDED_TEXT, "afweging_1": "ja"})
    assert answers == {"s1_signalen": "blauwe plek op de arm", "afweging_1": "ja"}


def test_time_gone_by_means_the_term_is_over():
    assert term_is_over("we zijn nu drie maanden verder")
    assert not term_is_over("we spreken een termijn van drie maanden af")
    assert term_is_over("die zes weken waren afgelopen maandag al voorbij.")
    assert not term_is_over("het gesprek is volgende week om tien uur")


def test_how_long_it_goes_on_may_be_told_before_the_danger_is_weighed():
    earlier = ["ik zie het al weken bij haar", "dit is geen eenmalig iets, het houdt gewoon niet op"]
    assert read_story("er hoeft vandaag niks te gebeuren", earlier=earlier)["afweging_2"] == "ja"
    doubt = ["of dat vaker voorkomt kan ik niet inschatten"]
    assert read_story("het is niet zo dat er nu iets moet gebeuren", earlier=doubt)["afweging_2"] == "twijfel"
    # "al weken" in a description of signals is not a statement about the pattern.
    assert "afweging_2" not in read_story("niet acuut", earlier=["hij komt al weken zonder eten"])
    # Asked afweging 2, a duration alone answers it.
    assert read_story("het speelt pas sinds de kerstvakantie", asked="afweging_2")["afweging_2"] == "nee"
    assert "afweging_2" not in read_story("het speelt pas sinds de kerstvakantie")


def test_help_refused_after_it_was_offered_in_an_earlier_message():
    offered = ["we boden de ouders gesprekken met de smw aan"]
    assert read_story("ze willen niet. moeder zei meteen nee", earlier=offered)["afweging_4"] == "nee"
    assert read_story("hij wil niks, hij weigert alles", earlier=offered)["afweging_4"] == "nee"
    assert "afweging_4" not in read_story("hij wil niks, hij weigert alles")  # no help in the story


def test_help_refused_in_other_words_after_it_was_offered():
    offered = ["het wijkteam heeft een gezinscoach aangeboden"]
    assert read_story("mum cancelled it twice and doesn't want anyone coming round", earlier=offered)["afweging_4"] == "nee"
    assert read_story("hij heeft de afspraak met de coach gewoon afgezegd", asked="afweging_4")["afweging_4"] == "nee"


def test_help_asked_of_meldwijzer_is_no_help_offered_to_the_family():
    asked = ["ik wil graag je hulp bij iets"]
    assert "afweging_4" not in read_story("zijn vader haalt hem op, dan huilt hij en wil hij niet mee", earlier=asked)


def test_help_accepted_does_not_overturn_no_help_possible_the_route_knows():
    facts = read_story("die ouders zouden alle hulp aannemen")
    assert facts["afweging_4"] == "ja" and facts["afweging_3"] == "ja"  # implied, on its own
    assert "afweging_3" not in implied({"afweging_3": "nee"}, facts)
    assert implied({"afweging_3": "nee"}, read_story("er is toch hulp mogelijk en ze nemen die aan"))["afweging_3"] == "ja"


def test_what_is_said_about_other_things_does_not_answer_the_weighing():
    # "Veilig Thuis nog niet gebeld" at afweging 2 answers nothing about unsafety.
    assert "afweging_2" not in read_story("vt hebben we tot nu toe niet ingeschakeld", asked="afweging_2")
    # How long a helper has been ill is not how long the unsafety goes on.
    facts = read_story("onze gezinscoach is al weken ziek, dus of er hulp komt weet ik niet", asked="afweging_2")
    assert "afweging_2" not in facts and facts["afweging_3"] == "twijfel"
    # How long someone has known of it is not how long it goes on.
    assert "afweging_2" not in read_story("de mentor weet er al maanden van", asked="afweging_2")


def test_acceptance_and_refusal_said_of_the_parent_as_a_pronoun_when_afweging_4_is_asked():
    assert read_story("ze wil heel graag meedoen", asked="afweging_4")["afweging_4"] == "ja"
    assert read_story("ze willen er niks van weten", asked="afweging_4")["afweging_4"] == "nee"
    assert read_story("ze hebben het afgehouden", asked="afweging_4")["afweging_4"] == "nee"
    assert "afweging_4" not in read_story("ze wil heel graag meedoen met gym")
    # Nothing cancelled is no refusal.
    assert read_story("hij heeft nog nooit iets afgezegd bij de coach", asked="afweging_4").get("afweging_4") != "nee"
