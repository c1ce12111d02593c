#include "raster/chip_reader.hpp"

#include "core/error.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <limits>

namespace shipchips::raster {

const std::vector<float>* ChipData::band(stac::Band b) const {
  for (std::size_t i = 0; i < bands.size(); ++i)
    if (bands[i] == b) return &reflectance[i];
  return nullptr;
}

ChipGrid item_chip_grid(DatasetCache& cache, const stac::Item& item, const stac::ProviderProfile& profile, double lon,
                        double lat, int size) {
  const stac::Asset& ref = profile.band_asset(item, stac::Band::B02);
  std::optional<int> epsg = ref.epsg ? ref.epsg : item.epsg;
  GeoTransform gt{};
  if (ref.proj_transform) {
    gt = geotransform_from_stac(*ref.proj_transform);
  } else {
    GDALDataset& ds = cache.open(ref.href);
    if (ds.GetGeoTransform(gt.data()) != CE_None)
      throw Error(ErrorCode::contract_violation, "item " + item.id + ": asset " + ref.key +
                                                     " has no proj:transform and " + ref.href + " no geotransform");
  }
  if (!epsg) {
    GDALDataset& ds = cache.open(ref.href);
    const OGRSpatialReference* srs = ds.GetSpatialRef();
    const char* code = srs ? srs->GetAuthorityCode(nullptr) : nullptr;
    if (!code)
      throw Error(ErrorCode::contract_violation, "item " + item.id + ": no proj:epsg and no EPSG code in " + ref.href);
    epsg = std::atoi(code);
  }
  return chip_grid_for_lonlat(gt, *epsg, lon, lat, size);
}

ChipData read_chip(DatasetCache& cache, const stac::Item& item, const stac::ProviderProfile& profile, double lon,
                   double lat, const ChipReadOptions& o) {
  ChipData chip;
  chip.grid = item_chip_grid(cache, item, profile, lon, lat, o.size);
  const std::size_t n = static_cast<std::size_t>(o.size) * static_cast<std::size_t>(o.size);
  std::vector<std::uint8_t> any_invalid(n, 0);
  auto note_invalid = [&](const BandWindow& w) {
    for (std::size_t k = 0; k < n; ++k) any_invalid[k] |= w.valid[k] == 0;
  };
  for (stac::Band b : o.bands) {
    if (b == stac::Band::SCL) throw Error(ErrorCode::invalid_argument, "SCL is not a reflectance band (use read_scl)");
    const stac::ReflectanceRule rule = profile.reflectance(item, b);
    BandWindow w;
    {
      StageTimer timer(o.stages, Stage::resample);
      w = read_window(cache, band_source(item, profile, b), chip.grid, resample_method_for(b, o.method));
      note_invalid(w);
    }
    StageTimer timer(o.stages, Stage::reflectance);
    chip.bands.push_back(b);
    chip.rules.push_back(rule);
    chip.reflectance.push_back(to_reflectance(w, rule));
  }
  if (o.read_scl) {
    StageTimer timer(o.stages, Stage::resample);
    const BandWindow w =
        read_window(cache, band_source(item, profile, stac::Band::SCL), chip.grid, ResampleMethod::nearest);
    note_invalid(w);
    chip.scl.assign(n, std::numeric_limits<float>::quiet_NaN());
    for (std::size_t k = 0; k < n; ++k)
      if (w.valid[k]) chip.scl[k] = w.values[k];
  }
  StageTimer timer(o.stages, Stage::reflectance);
  std::size_t invalid = 0;
  for (auto v : any_invalid) invalid += v;
  chip.nodata_fraction = n ? static_cast<double>(invalid) / static_cast<double>(n) : 1.0;
  if (const auto* nir = chip.band(stac::Band::B08)) {
    chip.plausibility = check_plausibility(*nir, chip.scl, o.plausibility);
  } else {
    chip.plausibility.suspicion = OffsetSuspicion::inconclusive;
    chip.plausibility.reason = "inconclusive: B08 not read";
  }
  return chip;
}

}  // namespace shipchips::raster
