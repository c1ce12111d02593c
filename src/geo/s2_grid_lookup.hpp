#pragma once
// Point → the Sentinel-2 tiles that contain it.
//
// Sentinel-2 tiles are 109.8 km squares on 100 km MGRS squares, so neighbours overlap by
// 9.8 km and a point usually lies in 1–4 tiles of its own UTM zone, plus tiles of the
// adjacent zone(s) near a zone edge (a tile keeps its zone's projection even where it
// reaches across the zone boundary).
//
// Which squares exist in a zone follows the MGRS zone layout GeographicLib applies
// (UTMUPS::StandardZone): 6° zones, with zone 32 widened to 3°E–12°E in band V (56°–64°N)
// and, in band X (72°–84°N), zones 31/33/35/37 spanning 0–9°E, 9–21°E, 21–33°E and 33–42°E
// while 32X/34X/36X do not exist. A square belongs to a zone when any part of it lies in
// that zone's area (so partial squares at zone edges are tiles, as in ESA's grid).
//
// A 100 km square that straddles a latitude-band boundary has one Sentinel-2 name: the band
// of the square's centre (e.g. the square holding Beijing, 39.977°N 116.381°E, is 50TMK in
// the Sentinel-2 grid although MGRS names that point 50SMK...).

#include "geo/s2_grid.hpp"

#include <optional>
#include <vector>

namespace shipchips::geo {

// Every Sentinel-2 tile whose 109.8 km UTM square contains (lon, lat) (edges count as
// inside), sorted by tile id. Latitudes beyond [-81°, 85°] have no tiles (empty result);
// throws Error(invalid_argument) for non-finite coordinates, lat outside [-90, 90] or lon
// outside [-360, 360] (wrapped otherwise).
std::vector<S2Tile> s2_tiles_containing(double lon, double lat);

// The Sentinel-2 tile on the 100 km MGRS square whose south-west corner is (sw_x, sw_y) in
// UTM zone `zone` (hemisphere `north`, y in that hemisphere's false northing), or nothing
// when that square is not part of the zone's MGRS area.
std::optional<S2Tile> s2_tile_for_square(int zone, bool north, double sw_x, double sw_y);

// Whether the 100 km square with south-west corner (sw_x, sw_y) reaches into the zone's area
// (MGRS's zone layout, down to 84°S for ESA's band C tiles).
bool square_in_zone_area(int zone, bool north, double sw_x, double sw_y);

// The UTM zone MGRS assigns to a point (Norway/Svalbard exceptions included); 0 for the
// polar (UPS) caps.
int mgrs_zone(double lon, double lat);

}  // namespace shipchips::geo
