/* Every text the pages show, in Swedish (default) and English: one table. */
#include "serve/internal.h"

typedef struct {
	const char *key;
	const char *text[LANG_COUNT];
} text_row;

static const text_row texts[] = {
    {"site.title", {"Fråga om dina personuppgifter", "Ask about your personal data"}},
    {"skip", {"Hoppa till innehållet", "Skip to content"}},
    {"lang.other", {"In English", "På svenska"}},
    {"lang.other.code", {"en", "sv"}},
    {"testmode",
     {"Testläge: inloggning med påhittade personer, inte e-legitimation.",
      "Test mode: sign-in with made-up people, not e-ID."}},
    {"home.heading",
     {"Har dina uppgifter funnits i e-post som angriparen kom åt?",
      "Was your data in e-mail the attacker could reach?"}},
    {"home.intro",
     {"Här kan du ta reda på om ditt personnummer eller din e-postadress "
      "förekommer i de e-postmeddelanden som angriparen kom åt. Du ser aldrig "
      "innehållet i meddelandena och aldrig någon annans uppgifter.",
      "Here you can find out whether your personal identity number or your "
      "e-mail address occurs in the e-mail messages the attacker reached. You "
      "never see the messages' content and never anyone else's data."}},
    {"notice.heading", {"Vad har hänt?", "What happened?"}},
    {"eid.heading", {"Med e-legitimation", "With e-ID"}},
    {"eid.button", {"Logga in med e-legitimation", "Log in with e-ID"}},
    {"eid.missing",
     {"Inloggning med e-legitimation är inte inställd.", "Log-in with e-ID is not configured."}},
    {"dev.button", {"Logga in som testperson", "Log in as a test person"}},
    {"dev.heading", {"Välj en testperson", "Choose a test person"}},
    {"dev.pnr",
     {"Eller ange ett personnummer (12 siffror)",
      "Or enter a personal identity number (12 digits)"}},
    {"email.heading", {"Med e-postadress", "With an e-mail address"}},
    {"email.intro",
     {"Om du bara har skrivit till oss från en e-postadress kan du fråga om "
      "den. Vi skickar en kod med sex siffror till adressen.",
      "If you only wrote to us from an e-mail address you can ask about it. "
      "We send a six-digit code to the address."}},
    {"email.label", {"Din e-postadress", "Your e-mail address"}},
    {"email.button", {"Skicka kod", "Send code"}},
    {"email.bad",
     {"Det ser inte ut som en e-postadress.", "That does not look like an "
                                              "e-mail address."}},
    {"code.heading", {"Ange koden", "Enter the code"}},
    {"code.sent",
     {"Om adressen kan ta emot e-post har vi nu skickat en kod med sex siffror "
      "dit. Koden gäller i 15 minuter.",
      "If the address can receive mail we have now sent a six-digit code to "
      "it. The code is valid for 15 minutes."}},
    {"code.label", {"Kod med sex siffror", "Six-digit code"}},
    {"code.button", {"Visa svaret", "Show the answer"}},
    {"code.wrong", {"Koden stämmer inte. Försök igen.", "The code is wrong. Try again."}},
    {"code.expired",
     {"Koden är för gammal eller redan använd. Begär en ny kod.",
      "The code is too old or already used. Ask for a new code."}},
    {"code.locked",
     {"För många felaktiga försök. Begär en ny kod senare.",
      "Too many wrong attempts. Ask for a new code later."}},
    {"code.mail.subject", {"Din kod", "Your code"}},
    {"code.mail.body",
     {"Din kod är %s. Den gäller i 15 minuter.\n\nOm du inte har begärt "
      "koden kan du bortse från det här meddelandet.\n",
      "Your code is %s. It is valid for 15 minutes.\n\nIf you did not ask "
      "for it you can ignore this message.\n"}},
    {"answer.heading", {"Ditt svar", "Your answer"}},
    {"answer.case", {"Ditt ärendenummer", "Your case number"}},
    {"answer.deadline", {"Vi svarar senast", "We answer at the latest on"}},
    {"answer.found",
     {"Ja, %s förekommer i e-post som angriparen kom åt.",
      "Yes, %s occurs in e-mail the attacker could reach."}},
    {"answer.notfound",
     {"Nej, %s förekommer inte i den e-post vi har gått igenom.",
      "No, %s does not occur in the e-mail we have gone through."}},
    {"who.pnr", {"ditt personnummer", "your personal identity number"}},
    {"who.samordningsnummer", {"ditt samordningsnummer", "your coordination number"}},
    {"who.email", {"din e-postadress", "your e-mail address"}},
    {"answer.messages", {"Antal meddelanden", "Number of messages"}},
    {"answer.period", {"Tidsperiod", "Period"}},
    {"answer.kinds",
     {"Andra slags uppgifter i samma meddelanden", "Other kinds of data in the same messages"}},
    {"answer.nokinds",
     {"Inga känsliga slag av uppgifter hittades.", "No sensitive kinds of data were found."}},
    {"answer.exposure", {"Hur nära angriparen kom", "How close the attacker came"}},
    {"grade.accessed", {"öppnat av angriparen", "opened by the attacker"}},
    {"grade.synced",
     {"i en mapp som angriparen laddade ned", "in a folder the attacker downloaded"}},
    {"grade.window",
     {"i en brevlåda angriparen kunde läsa", "in a mailbox the attacker could read"}},
    {"answer.next", {"Vad du kan göra nu", "What you can do now"}},
    {"answer.next.found",
     {"Var uppmärksam på e-post, sms och samtal som verkar komma från "
      "oss eller från myndigheter och som ber om uppgifter eller "
      "betalning. Du kan begära en fullständig kopia av de uppgifter om "
      "dig som finns i meddelandena (artikel 15 i dataskyddsförordningen).",
      "Be careful with e-mail, text messages and calls that seem to come "
      "from us or from authorities and ask for details or payment. You "
      "can ask for a full copy of the data about you in the messages "
      "(Article 15 GDPR)."}},
    {"answer.next.notfound",
     {"Du behöver inte göra något. Har du frågor kan du kontakta "
      "vårt dataskyddsombud.",
      "You need not do anything. If you have questions you can "
      "contact our data protection officer."}},
    {"art15.button",
     {"Begär en fullständig kopia (artikel 15)", "Ask for a full copy (Article 15)"}},
    {"art15.done",
     {"Din begäran om kopia är registrerad. Dataskyddsombudet kontaktar dig "
      "senast det datum som står ovan.",
      "Your request for a copy is registered. The data protection officer "
      "contacts you by the date shown above."}},
    {"contact", {"Kontakta dataskyddsombudet", "Contact the data protection officer"}},
    {"msg.one", {"meddelande", "message"}},
    {"msg.many", {"meddelanden", "messages"}},
    {"logout", {"Logga ut", "Log out"}},
    {"err.heading", {"Något gick fel", "Something went wrong"}},
    {"err.notfound", {"Sidan finns inte.", "The page does not exist."}},
    {"err.form", {"Formuläret kunde inte läsas.", "The form could not be read."}},
    {"err.toobig", {"Formuläret är för stort.", "The form is too large."}},
    {"err.csrf",
     {"Sidan var för gammal. Gå tillbaka, ladda om och försök igen.",
      "The page was too old. Go back, reload and try again."}},
    {"err.rate",
     {"För många försök just nu. Vänta en stund och försök igen.",
      "Too many attempts right now. Wait a while and try again."}},
    {"err.login",
     {"Inloggningen misslyckades. Försök igen.", "The log-in failed. Try "
                                                 "again."}},
    {"err.noid",
     {"Vi fick inget giltigt personnummer från inloggningen.",
      "The log-in gave us no valid personal identity number."}},
    {"err.internal",
     {"Tjänsten kunde inte svara just nu. Försök igen senare.",
      "The service could not answer right now. Try again later."}},
    {"err.back", {"Till startsidan", "To the start page"}},
    {"admin.title", {"Dataskyddsombudets ärenden", "Data protection officer's desk"}},
    {"admin.login", {"Logga in", "Log in"}},
    {"admin.user", {"Användarnamn", "User name"}},
    {"admin.password", {"Lösenord", "Password"}},
    {"admin.badlogin", {"Fel användarnamn eller lösenord.", "Wrong user name or password."}},
    {"admin.cases", {"Ärenden", "Cases"}},
    {"admin.filter", {"Filtrera", "Filter"}},
    {"admin.state", {"Status", "State"}},
    {"admin.any", {"alla", "any"}},
    {"admin.overdue", {"bara försenade", "overdue only"}},
    {"admin.art15", {"bara begäran om kopia", "copy requests only"}},
    {"admin.ref", {"Ärende", "Case"}},
    {"admin.opened", {"Öppnat", "Opened"}},
    {"admin.deadline", {"Senast", "Deadline"}},
    {"admin.channel", {"Kanal", "Channel"}},
    {"admin.found", {"Träff", "Found"}},
    {"admin.copy", {"Kopia", "Copy"}},
    {"admin.yes", {"ja", "yes"}},
    {"admin.no", {"nej", "no"}},
    {"admin.export", {"Exportera som CSV", "Export as CSV"}},
    {"admin.none", {"Inga ärenden.", "No cases."}},
    {"admin.messages", {"Meddelanden där personen förekommer", "Messages where the person occurs"}},
    {"admin.source", {"Källa", "Source"}},
    {"admin.msgid", {"Message-ID", "Message-ID"}},
    {"admin.date", {"Datum", "Date"}},
    {"admin.mailbox", {"Brevlåda", "Mailbox"}},
    {"admin.grade", {"Exponering", "Exposure"}},
    {"admin.locator", {"Plats i källan", "Locator"}},
    {"admin.note", {"Anteckning", "Note"}},
    {"admin.answer", {"Markera som besvarat", "Mark as answered"}},
    {"admin.close", {"Stäng ärendet", "Close the case"}},
    {"admin.closed_by", {"Stängt av", "Closed by"}},
    {"admin.back", {"Tillbaka till listan", "Back to the list"}},
    {"admin.eid", {"Logga in med e-legitimation", "Log in with e-ID"}},
    {"admin.denied",
     {"Du har inte behörighet till dataskyddsombudets sidor.",
      "You are not allowed into the data protection officer's desk."}},
    {"risk.link", {"Personer med hög risk", "People at high risk"}},
    {"risk.heading", {"Personer med hög risk", "People at high risk"}},
    {"risk.intro",
     {"Rangordnade efter risk, som i rapporten. Listan visar pseudonymer och var "
      "meddelandena finns, aldrig personuppgifter i klartext: klartexten tas fram "
      "utanför tjänsten med dataskyddsombudets nyckel (breachscope notify-list).",
      "Ranked by risk, as in the report. The list shows pseudonyms and where the "
      "messages are, never personal data in plain text: that comes outside the "
      "service with the data protection officer's key (breachscope notify-list)."}},
    {"risk.none", {"Ingen person har hög risk.", "Nobody is at high risk."}},
    {"risk.at", {"Listan togs fram", "The list was made at"}},
    {"risk.pending",
     {"Listan tas fram just nu. Det kan ta en stund för ett stort index.",
      "The list is being made. That can take a while for a large index."}},
    {"risk.reload", {"Ladda om sidan", "Reload the page"}},
    {"risk.rank", {"Plats", "Rank"}},
    {"risk.score", {"Poäng", "Score"}},
    {"risk.reasons", {"Skäl", "Reasons"}},
    {"risk.messages", {"Meddelanden", "Messages"}},
    {"risk.ids", {"Identifierare (pseudonym)", "Identifiers (pseudonym)"}},
    {"risk.where", {"Meddelanden (brevlåda, plats, datum)", "Messages (mailbox, locator, date)"}},
    {"reason.protected_identity", {"skyddade personuppgifter", "protected identity"}},
    {"reason.art9", {"känsliga uppgifter (art. 9)", "special categories (Art. 9)"}},
    {"reason.criminal", {"uppgifter om brott", "offences (Art. 10)"}},
    {"reason.social", {"socialtjänst", "social services"}},
    {"reason.children_school", {"skola och elevhälsa", "school and pupil welfare"}},
    {"reason.child", {"barn", "child"}},
    {"reason.national_id", {"personnummer", "personal identity number"}},
    {"reason.accessed", {"öppnat av angriparen", "opened by the attacker"}},
    {"reason.many", {"många meddelanden", "many messages"}},
    {"reason.protected_message",
     {"skyddade personuppgifter nämns i meddelandet",
      "protected identity mentioned in the message"}},
    {"state.open", {"öppet", "open"}},
    {"state.answered", {"besvarat", "answered"}},
    {"state.closed", {"stängt", "closed"}},
    {"cat.health", {"uppgifter om hälsa", "health data"}},
    {"cat.social", {"uppgifter från socialtjänsten", "social services data"}},
    {"cat.social_services", {"uppgifter från socialtjänsten", "social services data"}},
    {"cat.criminal", {"uppgifter om brott", "data about offences"}},
    {"cat.protected", {"skyddade personuppgifter", "protected identity data"}},
    {"cat.protected_identity", {"skyddade personuppgifter", "protected identity data"}},
    {"cat.children", {"uppgifter om barn", "data about children"}},
    {"cat.school", {"uppgifter från skolan", "school data"}},
    {"cat.ethnicity", {"uppgifter om etniskt ursprung", "data on ethnic origin"}},
    {"cat.political", {"politiska åsikter", "political opinions"}},
    {"cat.religion", {"religiös övertygelse", "religious beliefs"}},
    {"cat.union", {"medlemskap i fackförening", "trade union membership"}},
    {"cat.sexual", {"sexualliv eller sexuell läggning", "sex life or orientation"}},
    {"cat.sex_life", {"sexualliv eller sexuell läggning", "sex life or orientation"}},
    {"cat.biometric", {"biometriska eller genetiska uppgifter", "biometric or genetic data"}},
    {"cat.genetic", {"biometriska eller genetiska uppgifter", "biometric or genetic data"}},
    {"cat.financial", {"ekonomiska uppgifter", "financial data"}},
    {"cat.finance", {"ekonomiska uppgifter", "financial data"}},
};

const char *
bs_serve__text(lang_id lang, const char *key)
{
	for (size_t i = 0; i < G_N_ELEMENTS(texts); i++)
		if (strcmp(texts[i].key, key) == 0)
			return texts[i].text[lang < LANG_COUNT ? lang : LANG_SV];
	return key;
}

const char *
bs_serve__lang_code(lang_id lang)
{
	return lang == LANG_EN ? "en" : "sv";
}

bool
bs_serve__lang_parse(const char *s, lang_id *out)
{
	if (strcmp(s, "sv") == 0)
		*out = LANG_SV;
	else if (strcmp(s, "en") == 0)
		*out = LANG_EN;
	else
		return false;
	return true;
}
