/* signins: what one record says on its own (docs/signins.md, "Rules"). */
#include "signins/internal.h"

#include <math.h>

static const char *const rule_names[BS_RULE_COUNT] = {
    [BS_RULE_IOC_IP] = "ioc-ip",
    [BS_RULE_FOREIGN_COUNTRY] = "foreign-country",
    [BS_RULE_IMPOSSIBLE_TRAVEL] = "impossible-travel",
    [BS_RULE_LEGACY_PROTOCOL] = "legacy-protocol",
    [BS_RULE_INBOX_RULE] = "inbox-rule",
    [BS_RULE_FORWARDING] = "forwarding",
    [BS_RULE_ATTACKER_IP] = "attacker-ip",
    [BS_RULE_ATTACKER_SESSION] = "attacker-session",
};

const char *
bs_signins__rule_name(bs_signins__rule r)
{
	return (unsigned)r < BS_RULE_COUNT ? rule_names[r] : "unknown";
}

/* Clients that authenticate with a password alone (basic authentication):
 * what attackers use to download a mailbox. Exchange ActiveSync is left out:
 * phones use it every day with modern authentication. */
bool
bs_signins__legacy_client(const char *client_app)
{
	static const char *const words[] = {"imap", "pop", "smtp"};
	g_autofree char *low = NULL;

	if (!client_app)
		return false;
	if (g_ascii_strcasecmp(client_app, "Other clients") == 0)
		return true;
	low = g_ascii_strdown(client_app, -1);
	for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

/* Folders an attacker hides mail in, so that the owner does not see the
 * replies to the attacker's own mail or the security alerts. */
static const struct {
	const char *word; /* lower case, found anywhere in the folder name */
	bool strong;
} hiding_folders[] = {
    {"rss", true},
    {"conversation history", true},
    {"konversationshistorik", true},
    {"deleted items", true},
    {"borttagna", true},
    {"junk", true},
    {"skräppost", true},
    {"archive", false}, /* people do file mail there themselves */
    {"arkiv", false},
};

static void
judge_folder(const char *folder, bs_signins__event *ev)
{
	g_autofree char *low = g_utf8_strdown(folder, -1);

	for (size_t i = 0; i < G_N_ELEMENTS(hiding_folders); i++) {
		if (strstr(low, hiding_folders[i].word)) {
			ev->suspicious = true;
			ev->strong |= hiding_folders[i].strong;
			return;
		}
	}
}

static bool
punctuation_only(const char *s)
{
	for (; *s; s++)
		if (g_ascii_isalnum(*s) || (unsigned char)*s >= 0x80)
			return false;
	return true;
}

static void
judge_pair(const char *name, const char *value, bs_signins__event *ev)
{
	if (!g_ascii_strcasecmp(name, "DeleteMessage") ||
	    !g_ascii_strcasecmp(name, "SoftDeleteMessage")) {
		if (!g_ascii_strcasecmp(value, "True"))
			ev->suspicious = ev->strong = true;
	} else if (!g_ascii_strcasecmp(name, "MoveToFolder")) {
		judge_folder(value, ev);
	} else if (!g_ascii_strcasecmp(name, "ForwardTo") ||
	           !g_ascii_strcasecmp(name, "RedirectTo") ||
	           !g_ascii_strcasecmp(name, "ForwardAsAttachmentTo")) {
		ev->suspicious = true; /* strong when outside: decided with the account */
		ev->target = value;
	} else if (!g_ascii_strcasecmp(name, "Name")) {
		if (punctuation_only(value))
			ev->suspicious = true;
	} else if (strstr(name, "Action") || strstr(name, "Folder")) {
		/* UpdateInboxRules (Outlook, OWA): the actions as text */
		judge_folder(value, ev);
		if (strstr(value, "Delete") || strstr(value, "Forward") ||
		    strstr(value, "Redirect"))
			ev->suspicious = true;
	}
}

void
bs_signins__judge_inbox_rule(json_t *rec, bs_signins__event *ev)
{
	static const char *const lists[] = {"Parameters", "OperationProperties"};

	for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
		json_t *list = bs_signins__get(rec, lists[l]);
		size_t i;
		json_t *e;

		json_array_foreach(list, i, e)
		{
			const char *n = bs_signins__get_str(e, "Name");
			const char *v = bs_signins__get_str(e, "Value");

			if (n && v)
				judge_pair(n, v, ev);
		}
	}
}

double
bs_signins__haversine_km(double lat1, double lon1, double lat2, double lon2)
{
	const double r = 6371.0088; /* mean Earth radius, km */
	double p1 = lat1 * G_PI / 180, p2 = lat2 * G_PI / 180;
	double dp = p2 - p1, dl = (lon2 - lon1) * G_PI / 180;
	double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	return 2 * r * asin(sqrt(MIN(1.0, a)));
}

bool
bs_signins__ip_norm(const char *text, char out[BS_SIGNINS_IP_LEN])
{
	const char *p = text;
	size_t len;
	const char *colon;

	out[0] = '\0';
	if (!p || !*p)
		return false;
	if (*p == '[') { /* [v6]:port */
		const char *close = strchr(p, ']');

		if (!close)
			return false;
		p++;
		len = (size_t)(close - p);
	} else if ((colon = strchr(p, ':')) && !strchr(colon + 1, ':')) {
		len = (size_t)(colon - p); /* v4:port */
	} else {
		len = strlen(p);
	}
	if (len == 0 || len >= BS_SIGNINS_IP_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = g_ascii_tolower(p[i]);
	out[len] = '\0';
	return true;
}
