"""Precompiled boilerplate patterns, grouped by rule family (the family name is the `removed` reason).

Two kinds:
* LINE_PATTERNS match a whole short line (a button, a label, a menu entry, a caption credit);
* PROMPT_PATTERNS find prompt phrases anywhere in a line (newsletter, cookie, comment prompts); a line
  that is mostly such phrases is dropped, and a prompt glued to the start or end of prose is cut off.
All patterns are English plus the commonest German/French/Spanish forms; they never name a site.
"""

from __future__ import annotations

import re

IGNORE = re.I

# Whole-line patterns: the line must match from start to end (after stripping).
LINE_PATTERNS: dict[str, re.Pattern[str]] = {
    "advertisement": re.compile(
        r"(advertisement|advertising|sponsored( content| links?)?|ad(vert)?|anzeige|werbung|publicit[ée]|"
        r"story continues (below|after)( advertisement)?|continue reading( (below|the main story))?|"
        r"article continues (below|after)( advertisement)?|scroll to continue( with content)?|"
        r"skip (the )?ad(vertisement)?|ad feedback|content continues below)[\s.:!…-]*",
        IGNORE,
    ),
    "share": re.compile(
        r"((share|teilen|partager|compartir)( (this|the|on|via|article|story|post|page))*"
        r"( on)?( (facebook|twitter|whatsapp|linkedin|email|e-mail|pinterest|reddit|x))*|"
        r"(facebook|twitter|whatsapp|linkedin|pinterest|reddit|e-?mail|print|copy( link)?|"
        r"flipboard|messenger|telegram|instagram|youtube|rss|google\+?|tumblr|sms|link copied|"
        r"copied|comments?|save|bookmark|gift( this)? article|tweet|pin( it)?|like|more)[\s,|/·•]*)+"
        r"[\s.:!]*",
        IGNORE,
    ),
    "follow": re.compile(r"(follow|folgen sie|suivez)( us| uns| nous)?( on| auf| sur)?\b.{0,40}", IGNORE),
    "read_more": re.compile(
        r"(read|see|view|click|tap|watch|listen)( here)?( the)? ?(more|full|all|next|previous|also|"
        r"original|story|article|comments?|gallery|video|photos?|now)\b.{0,60}|"
        r"(weiterlesen|mehr (dazu|lesen|zum thema)|lire (aussi|la suite|plus)|leer m[áa]s|"
        r"next (article|story|post)|previous (article|story|post)|back to (top|gallery|home)|"
        r"return to top|top of page|load more|show more|more (stories|articles|news) ?.{0,30})[\s.:!»>›]*",
        IGNORE,
    ),
    "related": re.compile(
        r"(related( (stories|articles|posts|content|coverage|news|topics|links|reading|video))?|"
        r"more (from|on|in|about) .{1,40}|recommended( for you| stories| articles)?|you (may|might) "
        r"(also )?(like|enjoy|be interested in)|(most )?(popular|read|viewed|shared|commented)( now| "
        r"stories| articles| posts| today| this week)?|trending( now| stories)?|top stories|"
        r"latest( news| stories| articles| posts)?|editor'?s? picks?|also (read|see|on)|"
        r"(ähnliche|verwandte) (artikel|beiträge|themen)|das könnte sie auch interessieren|"
        r"à lire aussi|sur le même sujet|tags?|topics?|themen|schlagworte|filed under|categories|"
        r"in this article|what to read next|more to explore|around the web|from the web|"
        r"promoted stories|recommended by|more news|news ?feed|up next|keep reading)[\s.:!]*",
        IGNORE,
    ),
    "comments": re.compile(
        r"((\d+ )?comments?|kommentare?|commentaires?|comentarios?|leave a (comment|reply)|"
        r"post a comment|add a comment|join the (conversation|discussion)|show comments|view comments|"
        r"comments? (are )?(closed|disabled)|(\d+ )?(replies|responses|antworten)|reply|antworten|"
        r"log ?in to (comment|reply)|be the first to comment.{0,20}|conversation)[\s.:!()\d]*",
        IGNORE,
    ),
    "caption_credit": re.compile(
        r"((photo|image|picture|video|graphic|illustration|foto|bild|credit|source|quelle|"
        r"getty|reuters|afp|ap|dpa|shutterstock|istock)( ?(credit|source|courtesy|by))?s?\s*[:/©|]"
        r".{0,80}|(image|photo|slide|picture|bild) \d+ (of|/|von) ?\d*.{0,20}|\d+ ?/ ?\d+|"
        r"(enlarge|expand|open|close|view) (this )?(image|photo|gallery|caption|slideshow)|caption|"
        r"hide caption|toggle caption|(getty|shutterstock) images?.{0,40}|"
        r"\(?(photo|image|foto|bild)\s*(credit)?\)?|©.{0,80}|.{0,60}/ ?(getty images?|reuters|afp|ap|"
        r"dpa|shutterstock|istock|alamy|epa)( via .{0,40})?)[\s.]*",
        IGNORE,
    ),
    "copyright": re.compile(r"(©|\(c\)|copyright).{0,100}|.{0,80}all rights reserved.{0,40}", IGNORE),
    "navigation": re.compile(
        r"(home|menu|search|sections|navigation|skip to (main )?(content|navigation|main)|"
        r"jump to|toggle navigation|close( menu)?|open( menu)?|sign ?in|log ?in|log ?out|sign ?out|"
        r"register|my account|account|profile|subscribe|subscribers?|subscription|newsletters?|"
        r"contact( us)?|about( us)?|imprint|impressum|kontakt|careers|jobs|advertise( with us)?|"
        r"privacy|terms|faq|help|sitemap|archives?|rss feeds?|e-?paper|digital edition|"
        r"powered by .{0,40}|"
        r"previous|next|prev|page \d+( of \d+)?|[<>«»‹›|•·…\-–—=*#+/\\]+|\d+|[a-z]|"
        r"(sun|mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?)(day)?|"
        r"listen( to (this|the) (article|story))?.{0,20}|\d+ min(ute)?s? read|print( this)?( page)?)"
        r"[\s.:!]*",
        IGNORE,
    ),
}

# Prompt phrases found anywhere, matched against the lower-cased line (no re.IGNORECASE: it disables the
# regex engine's first-character scan, which made these 2-3x slower). A line whose prompt phrases cover
# most of it is dropped.
LOWER_CASED = 0
PROMPT_PATTERNS: dict[str, re.Pattern[str]] = {
    "newsletter": re.compile(
        r"(sign(ing)? ?up( now| today| here)?( for| to)?( our| the)?( free)?( daily| weekly)?"
        r"( \w+){0,4} (newsletters?|emails?|alerts?|updates)|sign ?up\b|subscribe( now| today| here)?"
        r"( to)?( our| the)?( \w+){0,3}( newsletters?)?|newsletters?|"
        r"(please )?enter (a |your )?(valid )?e-?mail( address)?|e-?mail address|"
        r"thanks? (you )?for (signing up|subscribing|registering)|(successfully|succesfully) subscribed|"
        r"activation link|(confirm|activate) your (subscription|e-?mail|account)|straight to your inbox|"
        r"(delivered|sent) (straight |directly )?to your inbox|in your inbox|"
        r"i (would|'d|’d) like to (be emailed|receive)|by (signing up|subscribing|clicking|registering)"
        r"[^.]{0,80}(agree|consent|accept)[^.]{0,80}|you can unsubscribe[^.]{0,60}|unsubscribe|"
        r"(read|see) our privacy (notice|policy)|privacy (notice|policy)|"
        r"breaking news (alerts|emails)|get (the|our) (latest|best)[^.]{0,40}(inbox|newsletter|app)|"
        r"newsletter abonnieren|jetzt abonnieren|abonnez-vous|inscrivez-vous|suscr[ií]bete)",
        LOWER_CASED,
    ),
    "cookie": re.compile(
        r"(we use cookies|this (web)?site uses cookies|uses cookies|cookie (policy|settings|preferences|"
        r"consent)|accept (all )?cookies|by (continuing|using) (to (use|browse) )?(this|our) "
        r"(site|website)[^.]{0,80}|manage (your )?(cookies|consent|preferences)|"
        r"diese (web)?seite verwendet cookies|wir verwenden cookies|nous utilisons des cookies)",
        LOWER_CASED,
    ),
    "paywall": re.compile(
        r"(already (a )?(subscriber|member)\??|subscribe (now )?(to|for) (continue|read|unlimited|"
        r"full)[^.]{0,40}|to continue reading[^.]{0,60}|create (a |your )?free account|"
        r"(this|the) (article|content|story) is (only )?(available|reserved) (to|for) "
        r"(subscribers|members)|log ?in (or|to) (subscribe|register|continue)|"
        r"you have reached (your|the) (limit|maximum)[^.]{0,60}|free articles? (left|remaining))",
        LOWER_CASED,
    ),
    "app_prompt": re.compile(
        r"(download (the|our) (free )?[\w ]{0,20}app|get (the|our) (free )?[\w ]{0,20}app|"
        r"(available|download) on the app store|get it on google play|turn on (desktop )?notifications|"
        r"enable notifications|push notifications)",
        LOWER_CASED,
    ),
    "social_prompt": re.compile(
        r"(follow (us|\w+) on (twitter|facebook|instagram|linkedin|tiktok|youtube)|like us on facebook|"
        r"(join|find) us on (facebook|twitter|instagram)|share (this|the) (article|story|post)|"
        r"click (here )?to share[^.]{0,40}|(opens|open) in (a )?new (window|tab))",
        LOWER_CASED,
    ),
    "comment_prompt": re.compile(
        r"(leave a (comment|reply)|your email address will not be published|required fields are "
        r"marked|comments are (closed|moderated)|post a comment|add a comment|you must be logged in"
        r"[^.]{0,40}|notify me of (new|follow-up)[^.]{0,60}|save my name, email)",
        LOWER_CASED,
    ),
    "browser_prompt": re.compile(
        r"(you are (using|on) (an? )?(outdated|old|unsupported)?\s*(browser|internet explorer)|"
        r"(we(’|')ve|we have) detected (that )?you are (using|on)[^.]{0,40}|"
        r"(please )?(update|upgrade|switch) (to )?(a |your )?(newer|modern|supported|different|latest)?\s*"
        r"(version of your )?browser[^.]{0,60}|(enable|activate) javascript[^.]{0,60}|"
        r"javascript (is )?(disabled|required|not enabled)[^.]{0,60}|ad ?blocker[^.]{0,60})",
        LOWER_CASED,
    ),
    "legal": re.compile(
        r"(for your personal,? non-?commercial use( only)?|subscriber agreement|by copyright law|"
        r"(order|request) (presentation-ready|multiple) copies[^.]{0,80}|reprints? (and|&) permissions|"
        r"distribution and use of this material[^.]{0,80}|terms (of use|and conditions)|"
        r"privacy (policy|statement)|all rights reserved)",
        LOWER_CASED,
    ),
    "copyright": re.compile(
        r"(©|\(c\)|copyright|all rights reserved|alle rechte vorbehalten|tous droits réservés|"
        r"this material may not be published, broadcast, rewritten,? or redistributed|"
        r"may not be (re)?published[^.]{0,60})",
        LOWER_CASED,
    ),
}

# Cheap prefilter: a line none of whose lower-cased words is in this set (and without ©) cannot
# match a PROMPT_PATTERNS entry, so the costly patterns run on few lines.
_HINT_TEXT = """
sign signing signed subscribe subscribed subscribing subscriber subscribers subscription newsletter
newsletters email emails mail inbox thanks privacy alerts cookie cookies notifications copyright rights
reserved browser explorer javascript adblocker blocker agreement reprints reprint unsubscribe activation
activate abonnieren abonnez inscrivez suscríbete rechte droits registering twitter facebook instagram
linkedin tiktok youtube logged notify window tab app store play comment reply published republished
copies personal account
"""
PROMPT_HINT_WORDS = frozenset(_HINT_TEXT.split())

# Markers that end an article when they appear as a short line after the main block has started.
END_MARKER = re.compile(
    r"(related( (stories|articles|posts|content|coverage|news|topics|reading))?|more (stories|articles|"
    r"news)( from .{1,30})?|recommended( for you)?|you (may|might) (also )?(like|enjoy)|"
    r"(most )?(popular|read|viewed)( now| stories| articles)?|trending( now)?|comments?|"
    r"\d+ comments?|leave a (comment|reply)|post a comment|join the (conversation|discussion)|"
    r"about the author|share this( article| story)?|tags?|topics|filed under|"
    r"(ähnliche|verwandte) (artikel|beiträge)|kommentare|commentaires|comentarios|"
    r"das könnte sie auch interessieren|à lire aussi|sur le même sujet|"
    r"more (from|on) .{1,40}|latest( news| stories)?|top stories|up next|"
    r"what to read next|around the web|promoted stories|sponsored( stories| links)?|"
    r"(other|more|latest|partner|related|similar|recent|further) (news|stories|articles|posts|reads|videos)"
    r"( (in|from|on|about|for) .{1,40})?|most (popular|read|viewed|shared|commented)( .{1,40})?|"
    r"you may also (like|enjoy|be interested in)|don'?t miss|see also|further reading|"
    r"more (in|from) (this|the) (section|category)|(read|see) (also|next)|"
    r"weitere (artikel|nachrichten|beiträge|meldungen)|mehr zum thema|auch interessant|"
    r"articles? (liés|similaires)|noticias relacionadas|te puede interesar)[\s.:!]*",
    IGNORE,
)

# A caption or credit line: a short description ending in a photo credit.
CAPTION_TAIL = re.compile(
    r".{0,300}[\s(\[](photo(graph)?s?|image|picture|foto|bild|credit|source|quelle)( credit)?\s*"
    r"(by|:|courtesy( of)?|©|/)\s*[^\W\d_][\w.’' /&,-]{0,60}[)\]]?\s*",
    IGNORE,
)
CONTACT = re.compile(
    r"((write|contact|email|e-mail|reach) (to )?.{1,60}\s(at|via|unter|à)\s\S+@\S+|"
    r"\S+@\S+\.\w+|follow (him|her|them) on (twitter|x|instagram).{0,60})\s*",
    IGNORE,
)

# Lines that open a comment section: the article never continues after them.
COMMENT_START = re.compile(
    r"(\d+\s+|one\s+)?(comments?|responses?|replies|kommentare?|commentaires?|comentarios?|reactions?)"
    r"(\s+(to|on|zu|sur)\s+.{1,150})?[\s.:!()\d]*|"
    r"(\d+|one)\s+thoughts?\s+on\s+.{1,150}|"
    r"(leave|post|add|write|submit) a (comment|reply|response).{0,30}|"
    r"join the (conversation|discussion).{0,30}|"
    r"(show|view|load|read|see) (all )?(\d+ )?comments.{0,20}|comments? (are )?(closed|disabled).{0,20}|"
    r"[^\s].{0,40}\s(says|said|wrote|schreibt|schrieb|a écrit|dice|escribió)\s*:?",
    IGNORE,
)

BYLINE = re.compile(
    r"^(?:by|von|par|por|door|di|av|af|autor(?:in)?:?|author:?|written by|words by|posted by)\s+"
    r"(?P<name>[^\W\d_][\w.’'\-]*(?:\s+(?:[^\W\d_][\w.’'\-]*|and|und|et|y|&|,)){0,8})"
    r"(?:\s*[|,•·–—-]\s*.{0,60})?$",
    IGNORE,
)

# The whole-line families as one alternation without re.I, for the lower-cased line: one fast
# prefilter call; the per-family patterns (which name the reason) run only on lines it matches.
LINE_ANY_LOWER = re.compile("|".join(f"(?:{p.pattern})" for p in LINE_PATTERNS.values()))
