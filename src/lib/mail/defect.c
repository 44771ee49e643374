/* The tables of the mail module: segment locations, statuses, defects;
 * and bs_mail_info, which collects what one walk learned. */
#include "mail/mail.h"

#include "mail/internal.h"

static const char *const where_names[BS_WHERE_COUNT] = {
    [BS_WHERE_HEADER] = "header",
    [BS_WHERE_SUBJECT] = "subject",
    [BS_WHERE_BODY] = "body",
    [BS_WHERE_ATTACHMENT] = "attachment",
    [BS_WHERE_ATTACHMENT_NAME] = "attachment-name",
};

static const char *const status_names[] = {
    [BS_MAIL_OK] = "ok",
    [BS_MAIL_PARTIAL] = "partial",
    [BS_MAIL_FAILED] = "failed",
};

/* The one table of defects: name and the status it forces on the message.
 * Notes (BS_MAIL_OK) are damage GMime repaired without losing text. */
static const struct {
	const char *name;
	bs_mail_status status;
} defect_table[BS_DEFECT_COUNT] = {
    [BS_DEFECT_UNPARSABLE] = {"unparsable", BS_MAIL_FAILED},
    [BS_DEFECT_TRUNCATED] = {"truncated", BS_MAIL_PARTIAL},
    [BS_DEFECT_MULTIPART] = {"bad-multipart", BS_MAIL_PARTIAL},
    [BS_DEFECT_MALFORMED] = {"malformed", BS_MAIL_OK},
    [BS_DEFECT_HEADER] = {"bad-header", BS_MAIL_OK},
    [BS_DEFECT_ENCODED_WORD] = {"bad-encoded-word", BS_MAIL_OK},
    [BS_DEFECT_8BIT_HEADER] = {"8bit-header", BS_MAIL_OK},
    [BS_DEFECT_CONTENT_TYPE] = {"bad-content-type", BS_MAIL_OK},
    [BS_DEFECT_ADDRESS] = {"bad-address", BS_MAIL_OK},
    [BS_DEFECT_TRANSFER] = {"bad-transfer-encoding", BS_MAIL_PARTIAL},
    [BS_DEFECT_CHARSET] = {"charset-fallback", BS_MAIL_OK},
    [BS_DEFECT_DEPTH] = {"depth-limit", BS_MAIL_PARTIAL},
    [BS_DEFECT_SIZE] = {"size-limit", BS_MAIL_PARTIAL},
    [BS_DEFECT_RATIO] = {"ratio-limit", BS_MAIL_PARTIAL},
    [BS_DEFECT_TIME] = {"time-limit", BS_MAIL_PARTIAL},
    [BS_DEFECT_EXTRACT] = {"extract-failed", BS_MAIL_PARTIAL},
    [BS_DEFECT_ENCRYPTED] = {"encrypted", BS_MAIL_PARTIAL},
    [BS_DEFECT_UNSUPPORTED] = {"unsupported", BS_MAIL_PARTIAL},
};

const char *
bs_where_name(bs_where where)
{
	if ((unsigned)where >= BS_WHERE_COUNT)
		return NULL;
	return where_names[where];
}

const char *
bs_mail_status_name(bs_mail_status status)
{
	if ((unsigned)status > BS_MAIL_FAILED)
		return "unknown";
	return status_names[status];
}

const char *
bs_defect_name(bs_defect_code code)
{
	if (code <= 0 || code >= BS_DEFECT_COUNT)
		return "unknown";
	return defect_table[code].name;
}

bs_mail_status
bs_defect_status(bs_defect_code code)
{
	if (code <= 0 || code >= BS_DEFECT_COUNT)
		return BS_MAIL_PARTIAL;
	return defect_table[code].status;
}

static void
clear_defect(gpointer p)
{
	bs_defect *d = p;

	g_free(d->part);
}

static void
clear_address(gpointer p)
{
	bs_mail_address *a = p;

	g_free(a->addr);
}

void
bs_mail_info_init(bs_mail_info *info)
{
	memset(info, 0, sizeof(*info));
	info->defects = g_array_new(FALSE, TRUE, sizeof(bs_defect));
	g_array_set_clear_func(info->defects, clear_defect);
	info->addresses = g_array_new(FALSE, TRUE, sizeof(bs_mail_address));
	g_array_set_clear_func(info->addresses, clear_address);
}

void
bs_mail_info_reset(bs_mail_info *info)
{
	GArray *defects = info->defects;
	GArray *addresses = info->addresses;

	g_free(info->message_id);
	g_array_set_size(defects, 0);
	g_array_set_size(addresses, 0);
	memset(info, 0, sizeof(*info));
	info->defects = defects;
	info->addresses = addresses;
}

void
bs_mail_info_fini(bs_mail_info *info)
{
	if (!info)
		return;
	g_free(info->message_id);
	if (info->defects)
		g_array_unref(info->defects);
	if (info->addresses)
		g_array_unref(info->addresses);
	memset(info, 0, sizeof(*info));
}

char *
bs_mail_info_reason_dup(const bs_mail_info *info)
{
	GString *s;

	if (!info->defects || info->defects->len == 0)
		return NULL;
	s = g_string_new(NULL);
	for (guint i = 0; i < info->defects->len; i++) {
		const bs_defect *d = &g_array_index(info->defects, bs_defect, i);

		if (i > 0)
			g_string_append(s, "; ");
		g_string_append_printf(s, "%s at %s", bs_defect_name(d->code),
		                       d->part && d->part[0] ? d->part : "message");
		if (d->offset >= 0)
			g_string_append_printf(s, " offset %" G_GINT64_FORMAT, d->offset);
	}
	return g_string_free(s, FALSE);
}

void
bs_mail__info_defect(bs_mail_info *info, bs_defect_code code, const char *part, int64_t offset)
{
	bs_defect d = {code, NULL, offset};
	bs_mail_status st = bs_defect_status(code);

	if (st > info->status)
		info->status = st;
	/* A hostile message can raise thousands of warnings; the status is
	 * already decided by then, and the reason must stay readable. */
	for (guint i = 0; i < info->defects->len; i++) {
		const bs_defect *old = &g_array_index(info->defects, bs_defect, i);

		if (old->code == code && g_strcmp0(old->part, part) == 0)
			return;
	}
	if (info->defects->len >= BS_MAIL_MAX_DEFECTS)
		return;
	d.part = g_strdup(part ? part : "");
	g_array_append_val(info->defects, d);
}
