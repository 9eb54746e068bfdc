/*-------------------------------------------------------------------------
 *
 * yaml_ttl.c
 *		Parse and format the ttl of a feature view.
 *
 * OfsParseTtl accepts the spellings a feature repo uses (seconds, numbers
 * with units, ISO 8601 durations without years and months, HH:MM:SS) and
 * computes microseconds exactly, rejecting overflow and fractions finer
 * than a microsecond; OfsFormatTtl gives the canonical spelling that
 * feast_registry_dump writes and OfsParseTtl reads back to the same value.
 *
 * Plain C (no postgres.h), like the rest of the parser: it is linked into
 * the extension, the unit tests and the fuzzer.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/yaml_ttl.c
 *
 *-------------------------------------------------------------------------
 */
#include "yaml_config.h"

#include <stdio.h>
#include <string.h>

#define USEC_PER_SEC		INT64_C(1000000)
#define USEC_PER_MIN		(INT64_C(60) * USEC_PER_SEC)
#define USEC_PER_HOUR		(INT64_C(60) * USEC_PER_MIN)
#define USEC_PER_DAY		(INT64_C(24) * USEC_PER_HOUR)
#define USEC_PER_WEEK		(INT64_C(7) * USEC_PER_DAY)

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static uint64_t
gcd_u64(uint64_t a, uint64_t b)
{
	while (b != 0)
	{
		uint64_t	t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Add <int>.<frac> times unit to *total, exactly.  Fails on overflow and
 * on a fraction that is not a whole number of microseconds.
 */
static bool
ttl_add(int64_t *total, const char *ip, size_t ilen, const char *fp,
		size_t flen, int64_t unit)
{
	int64_t		iv = 0;
	int64_t		v;
	uint64_t	fv = 0,
				den = 1,
				g,
				add;
	size_t		i;

	for (i = 0; i < ilen; i++)
	{
		int			d = ip[i] - '0';

		if (iv > (INT64_MAX - d) / 10)
			return false;
		iv = iv * 10 + d;
	}
	if (iv > INT64_MAX / unit)
		return false;
	v = iv * unit;

	while (flen > 0 && fp[flen - 1] == '0')
		flen--;
	/* a fraction with more than 18 significant digits is never exact */
	if (flen > 18)
		return false;
	for (i = 0; i < flen; i++)
	{
		fv = fv * 10 + (uint64_t) (fp[i] - '0');
		den *= 10;
	}
	/* fv * unit / den, exactly: reduce unit/den first to avoid overflow */
	g = gcd_u64((uint64_t) unit, den);
	den /= g;
	if (fv % den != 0)
		return false;
	add = (fv / den) * ((uint64_t) unit / g);	/* < unit: no overflow */
	if (v > INT64_MAX - (int64_t) add)
		return false;
	v += (int64_t) add;
	if (*total > INT64_MAX - v)
		return false;
	*total += v;
	return true;
}

/* Lex [0-9]+(\.[0-9]+)? at *p. */
static bool
ttl_number(const char **p, const char **ip, size_t *ilen, const char **fp,
		   size_t *flen)
{
	const char *s = *p;

	*ip = s;
	while (is_digit(*s))
		s++;
	*ilen = (size_t) (s - *ip);
	if (*ilen == 0)
		return false;
	*fp = s;
	*flen = 0;
	if (*s == '.')
	{
		s++;
		*fp = s;
		while (is_digit(*s))
			s++;
		*flen = (size_t) (s - *fp);
		if (*flen == 0)
			return false;
	}
	*p = s;
	return true;
}

/* ISO 8601 duration without years and months: P[nW][nD][T[nH][nM][nS]]. */
static bool
parse_iso_duration(const char *s, int64_t *usec)
{
	static const struct
	{
		char		c;
		int64_t		unit;
		bool		time;
	}			units[] = {
		{'W', USEC_PER_WEEK, false},
		{'D', USEC_PER_DAY, false},
		{'H', USEC_PER_HOUR, true},
		{'M', USEC_PER_MIN, true},
		{'S', USEC_PER_SEC, true},
	};
	const char *p = s + 1;		/* after 'P' */
	int64_t		total = 0;
	int			next = 0;		/* next allowed unit index */
	bool		in_time = false;
	bool		any = false;
	bool		time_any = false;

	while (*p)
	{
		const char *ip,
				   *fp;
		size_t		ilen,
					flen;
		int			u;

		if (*p == 'T')
		{
			if (in_time)
				return false;
			in_time = true;
			p++;
			if (next < 2)
				next = 2;
			continue;
		}
		if (!ttl_number(&p, &ip, &ilen, &fp, &flen))
			return false;
		for (u = next; u < 5; u++)
			if (units[u].c == *p && units[u].time == in_time)
				break;
		if (u == 5)
			return false;
		if (!ttl_add(&total, ip, ilen, fp, flen, units[u].unit))
			return false;
		next = u + 1;
		any = true;
		if (in_time)
			time_any = true;
		p++;
	}
	if (!any || (in_time && !time_any))
		return false;
	*usec = total;
	return true;
}

/* [H]H:MM:SS[.ffffff] */
static bool
parse_clock(const char *s, int64_t *usec)
{
	const char *p = s;
	const char *hp,
			   *sp,
			   *fp = "";
	size_t		hlen,
				flen = 0;
	int64_t		total = 0;

	hp = p;
	while (is_digit(*p))
		p++;
	hlen = (size_t) (p - hp);
	if (hlen == 0 || *p != ':')
		return false;
	p++;
	if (!is_digit(p[0]) || !is_digit(p[1]) || p[2] != ':' || p[0] > '5')
		return false;
	if (!ttl_add(&total, p, 2, "", 0, USEC_PER_MIN))
		return false;
	p += 3;
	if (!is_digit(p[0]) || !is_digit(p[1]) || p[0] > '5')
		return false;
	sp = p;
	p += 2;
	if (*p == '.')
	{
		p++;
		fp = p;
		while (is_digit(*p))
			p++;
		flen = (size_t) (p - fp);
		if (flen == 0)
			return false;
	}
	if (*p != '\0')
		return false;
	if (!ttl_add(&total, hp, hlen, "", 0, USEC_PER_HOUR) ||
		!ttl_add(&total, sp, 2, fp, flen, USEC_PER_SEC))
		return false;
	*usec = total;
	return true;
}

bool
OfsParseTtl(const char *text, int64_t *usec)
{
	static const struct
	{
		const char *name;
		int64_t		unit;
	}			units[] = {
		{"w", USEC_PER_WEEK},
		{"d", USEC_PER_DAY},
		{"h", USEC_PER_HOUR},
		{"m", USEC_PER_MIN},
		{"s", USEC_PER_SEC},
		{"ms", 1000},
		{"us", 1},
	};
	const int	nunits = (int) (sizeof(units) / sizeof(units[0]));
	const char *p = text;
	int64_t		total = 0;
	int			next = 0;

	if (text == NULL || *text == '\0')
		return false;
	if (text[0] == 'P')
		return parse_iso_duration(text, usec);
	if (strchr(text, ':') != NULL)
		return parse_clock(text, usec);

	while (*p)
	{
		const char *ip,
				   *fp;
		size_t		ilen,
					flen;
		int			u;
		size_t		ulen;

		if (!ttl_number(&p, &ip, &ilen, &fp, &flen))
			return false;
		if (*p == '\0' && p - ip == (ptrdiff_t) strlen(text))
		{
			/* a bare number is seconds */
			if (!ttl_add(&total, ip, ilen, fp, flen, USEC_PER_SEC))
				return false;
			break;
		}
		if (p[0] == 'm' && p[1] == 's')
			ulen = 2, u = 5;
		else if (p[0] == 'u' && p[1] == 's')
			ulen = 2, u = 6;
		else
		{
			ulen = 1;
			for (u = 0; u < 5; u++)
				if (*p == units[u].name[0])
					break;
			if (u == 5)
				return false;
		}
		if (u < next || u >= nunits)
			return false;
		if (!ttl_add(&total, ip, ilen, fp, flen, units[u].unit))
			return false;
		next = u + 1;
		p += ulen;
	}
	*usec = total;
	return true;
}

void
OfsFormatTtl(int64_t usec, char *buf, size_t buflen)
{
	if (buf == NULL || buflen == 0)
		return;
	if (usec == 0)
		snprintf(buf, buflen, "0s");
	else if (usec < 0)
		snprintf(buf, buflen, "%lldus", (long long) usec);
	else if (usec % USEC_PER_DAY == 0)
		snprintf(buf, buflen, "%lldd", (long long) (usec / USEC_PER_DAY));
	else if (usec % USEC_PER_HOUR == 0)
		snprintf(buf, buflen, "%lldh", (long long) (usec / USEC_PER_HOUR));
	else if (usec % USEC_PER_MIN == 0)
		snprintf(buf, buflen, "%lldm", (long long) (usec / USEC_PER_MIN));
	else if (usec % USEC_PER_SEC == 0)
		snprintf(buf, buflen, "%llds", (long long) (usec / USEC_PER_SEC));
	else
	{
		char		frac[8];
		int			i;

		snprintf(frac, sizeof(frac), "%06lld", (long long) (usec % USEC_PER_SEC));
		for (i = 5; i > 0 && frac[i] == '0'; i--)
			frac[i] = '\0';
		snprintf(buf, buflen, "%lld.%ss", (long long) (usec / USEC_PER_SEC), frac);
	}
}
