/*
 * geo.h - WGS84 positions and border lines.
 *
 * Positions are (longitude, latitude) in degrees, in that order, as GeoJSON
 * (RFC 7946) and WKT write them. A valid position is finite with lon in
 * [-180, 180] and lat in [-90, 90]; every function that takes input from
 * outside checks this with lm_geo_check() before using it.
 *
 * Distances use the haversine formula on a sphere of the IUGG mean Earth
 * radius (6371008.8 m). Against the WGS84 ellipsoid that is off by up to
 * about 0.5 %, which is far inside what a border registry needs (lengths of
 * segments, "how far is this incident from the nearest crossing point") and
 * keeps core free of a geodesy library.
 *
 * A border segment's geometry is stored as WKT text "LINESTRING(lon lat, ...)"
 * with 7 decimals (about 1 cm at the equator, finer than any survey of a
 * boundary pillar), which both SQLite and PostGIS read.
 *
 * USAGE:
 *	if (lm_geo_check(lon, lat, "position", &err)) return err.code;
 *
 *	struct lm_buf wkt = LM_BUF_INIT;
 *	if (lm_geo_line_to_wkt(pts, n, &wkt)) fail;
 *	...
 *	struct lm_point *pts; size_t n;
 *	if (lm_geo_line_from_wkt(wkt.ptr, wkt.len, &pts, &n, &err)) fail;
 *	double m = lm_geo_line_length_m(pts, n);
 *	free(pts);
 *
 * Everything here is pure and thread-safe.
 */
#ifndef LM_CORE_GEO_H
#define LM_CORE_GEO_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/* IUGG mean Earth radius R1 in metres. */
#define LM_GEO_EARTH_RADIUS_M 6371008.8

/*
 * Most points one line may have. 100000 points is one vertex every 20 m along
 * a 2,000-km border, more detail than boundary survey data carries; the cap
 * bounds what one request can make us allocate (1.6 MB of points from about
 * 2.6 MB of WKT) so a hostile body cannot exhaust memory.
 */
#define LM_GEO_LINE_MAX 100000

struct lm_point {
	double lon, lat;
};

/*
 * 0 when lon is in [-180, 180] and lat in [-90, 90], both finite. Otherwise
 * LM_EINVAL with err->field "<field>/lon" or "<field>/lat" ("lon" / "lat"
 * when field is NULL or ""), e.g. "position/lat".
 */
int lm_geo_check(double lon, double lat, const char *field, struct lm_error *err);

/* Great-circle distance in metres (haversine). Inputs must be valid positions. */
double lm_geo_distance_m(struct lm_point a, struct lm_point b);

/* Sum of the distances between consecutive points; 0 for fewer than 2 points. */
double lm_geo_line_length_m(const struct lm_point *pts, size_t n);

/*
 * Append "LINESTRING(lon lat, lon lat, ...)" with 7 decimals to `out`.
 * Needs 2 to LM_GEO_LINE_MAX valid points, otherwise LM_EINVAL. On any
 * failure (LM_EINVAL, LM_ENOMEM, LM_ETOOBIG) `out` is left as it was.
 */
int lm_geo_line_to_wkt(const struct lm_point *pts, size_t n, struct lm_buf *out);

/*
 * Parse s[0..len) as written by lm_geo_line_to_wkt(), tolerating any ASCII
 * white space between tokens and a lower-case keyword (WKT keywords are
 * case-insensitive). Coordinates are plain decimals ("-12.5", no exponent),
 * at most 24 characters each, and must form valid positions; the line needs
 * 2 to LM_GEO_LINE_MAX points.
 *
 * On success *pts is a new malloc'ed array of *n points (the caller frees
 * it). On failure returns LM_EINVAL (or LM_ENOMEM) with err->field "wkt" and
 * err->offset the byte offset of the problem, and sets *pts = NULL, *n = 0.
 * Does not need s to be NUL-terminated.
 */
int lm_geo_line_from_wkt(const char *s, size_t len, struct lm_point **pts, size_t *n,
                         struct lm_error *err);

#endif
