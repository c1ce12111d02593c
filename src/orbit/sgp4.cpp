// SGP4 initialisation and propagation (near-earth part and the frame of the deep-space part).
// Variable names follow Vallado et al. 2006 so the code can be read beside the paper.
#include "orbit/sgp4.hpp"

#include "orbit/sgp4_deep.hpp"

#include <cmath>
#include <numbers>

namespace shipchips::orbit {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr double kX2o3 = 2.0 / 3.0;
constexpr double kTemp4 = 1.5e-12;  // guard against division by zero at 180° inclination

struct Gravity {
  double radius = wgs72::radius_km;
  double xke = 60.0 / std::sqrt(wgs72::radius_km * wgs72::radius_km * wgs72::radius_km / wgs72::mu_km3_s2);
  double tumin = 1.0 / xke;
  double j2 = wgs72::j2;
  double j3 = wgs72::j3;
  double j4 = wgs72::j4;
  double j3oj2 = wgs72::j3 / wgs72::j2;
};

const Gravity& gravity() {
  static const Gravity g;
  return g;
}

}  // namespace

double gmst_iau82(double jdut1) {
  double tut1 = (jdut1 - 2451545.0) / 36525.0;
  double temp = -6.2e-6 * tut1 * tut1 * tut1 + 0.093104 * tut1 * tut1 + (876600.0 * 3600 + 8640184.812866) * tut1 +
                67310.54841;                               // seconds
  temp = std::fmod(temp * (kPi / 180.0) / 240.0, kTwoPi);  // 360/86400 = 1/240
  if (temp < 0.0) temp += kTwoPi;
  return temp;
}

const char* to_string(Sgp4Error error) {
  switch (error) {
    case Sgp4Error::none:
      return "ok";
    case Sgp4Error::mean_eccentricity:
      return "mean eccentricity out of range";
    case Sgp4Error::negative_mean_motion:
      return "mean motion below zero";
    case Sgp4Error::perturbed_eccentricity:
      return "perturbed eccentricity out of range";
    case Sgp4Error::negative_semi_latus:
      return "semi-latus rectum below zero";
    case Sgp4Error::suborbital_epoch:
      return "epoch elements are sub-orbital";
    case Sgp4Error::decayed:
      return "satellite has decayed";
    case Sgp4Error::non_finite:
      return "elements give no finite state";
  }
  return "unknown";
}

Sgp4Propagator::Sgp4Propagator(const MeanElements& el) {
  const Gravity& g = gravity();
  m_catalog_number = el.catalog_number;
  m_epoch_jd = el.epoch_jd;
  m_epoch_jd_fraction = el.epoch_jd_fraction;
  // Microsecond epoch for UTC clients; the Julian date pair stays the reference for SGP4.
  const double unix_days = (el.epoch_jd - 2440587.5) + el.epoch_jd_fraction;
  m_epoch = UtcTime(std::chrono::microseconds(std::llround(unix_days * 86400.0e6)));
  m_bstar = el.bstar;
  m_ecco = el.eccentricity;
  m_argpo = el.arg_perigee_rad;
  m_inclo = el.inclination_rad;
  m_mo = el.mean_anomaly_rad;
  m_no_kozai = el.mean_motion_rad_min;
  m_nodeo = el.raan_rad;
  // Elements no TLE parser would pass (an OMM reader might): refuse instead of dividing by zero.
  if (!(m_no_kozai > 0.0) || !std::isfinite(m_no_kozai)) {
    m_invalid = m_init_error = Sgp4Error::negative_mean_motion;
    return;
  }
  if (!(m_ecco >= 0.0 && m_ecco < 1.0)) {
    m_invalid = m_init_error = Sgp4Error::mean_eccentricity;
    return;
  }
  const double epoch = (el.epoch_jd + el.epoch_jd_fraction) - 2433281.5;  // days since 1950 Jan 0

  const double ss = 78.0 / g.radius + 1.0;
  const double qzms2t = std::pow((120.0 - 78.0) / g.radius, 4);

  // initl: un-Kozai the mean motion, basic geometry, sidereal time at epoch.
  const double eccsq = m_ecco * m_ecco;
  const double omeosq = 1.0 - eccsq;
  const double rteosq = std::sqrt(omeosq);
  const double cosio = std::cos(m_inclo);
  const double cosio2 = cosio * cosio;
  const double ak = std::pow(g.xke / m_no_kozai, kX2o3);
  const double d1 = 0.75 * g.j2 * (3.0 * cosio2 - 1.0) / (rteosq * omeosq);
  double del = d1 / (ak * ak);
  const double adel = ak * (1.0 - del * del - del * (1.0 / 3.0 + 134.0 * del * del / 81.0));
  del = d1 / (adel * adel);
  m_no_unkozai = m_no_kozai / (1.0 + del);
  const double ao = std::pow(g.xke / m_no_unkozai, kX2o3);
  m_ao = ao;
  const double sinio = std::sin(m_inclo);
  const double po = ao * omeosq;
  const double con42 = 1.0 - 5.0 * cosio2;
  m_con41 = -con42 - cosio2 - cosio2;
  const double posq = po * po;
  const double rp = ao * (1.0 - m_ecco);
  m_gsto = gmst_iau82(epoch + 2433281.5);

  if (omeosq >= 0.0 || m_no_unkozai >= 0.0) {
    m_isimp = rp < (220.0 / g.radius + 1.0);  // perigee below 220 km: simplified drag
    double sfour = ss;
    double qzms24 = qzms2t;
    const double perige = (rp - 1.0) * g.radius;
    // Perigee below 156 km: the atmosphere parameter s is lowered (s4 modification).
    if (perige < 156.0) {
      sfour = perige - 78.0;
      if (perige < 98.0) sfour = 20.0;
      qzms24 = std::pow((120.0 - sfour) / g.radius, 4.0);
      sfour = sfour / g.radius + 1.0;
    }
    const double pinvsq = 1.0 / posq;
    const double tsi = 1.0 / (ao - sfour);
    m_eta = ao * m_ecco * tsi;
    const double etasq = m_eta * m_eta;
    const double eeta = m_ecco * m_eta;
    const double psisq = std::fabs(1.0 - etasq);
    const double coef = qzms24 * std::pow(tsi, 4.0);
    const double coef1 = coef / std::pow(psisq, 3.5);
    const double cc2 = coef1 * m_no_unkozai *
                       (ao * (1.0 + 1.5 * etasq + eeta * (4.0 + etasq)) +
                        0.375 * g.j2 * tsi / psisq * m_con41 * (8.0 + 3.0 * etasq * (8.0 + etasq)));
    m_cc1 = m_bstar * cc2;
    double cc3 = 0.0;
    if (m_ecco > 1.0e-4) cc3 = -2.0 * coef * tsi * g.j3oj2 * m_no_unkozai * sinio / m_ecco;
    m_x1mth2 = 1.0 - cosio2;
    m_cc4 = 2.0 * m_no_unkozai * coef1 * ao * omeosq *
            (m_eta * (2.0 + 0.5 * etasq) + m_ecco * (0.5 + 2.0 * etasq) -
             g.j2 * tsi / (ao * psisq) *
                 (-3.0 * m_con41 * (1.0 - 2.0 * eeta + etasq * (1.5 - 0.5 * eeta)) +
                  0.75 * m_x1mth2 * (2.0 * etasq - eeta * (1.0 + etasq)) * std::cos(2.0 * m_argpo)));
    m_cc5 = 2.0 * coef1 * ao * omeosq * (1.0 + 2.75 * (etasq + eeta) + eeta * etasq);
    const double cosio4 = cosio2 * cosio2;
    const double temp1 = 1.5 * g.j2 * pinvsq * m_no_unkozai;
    const double temp2 = 0.5 * temp1 * g.j2 * pinvsq;
    const double temp3 = -0.46875 * g.j4 * pinvsq * pinvsq * m_no_unkozai;
    m_mdot = m_no_unkozai + 0.5 * temp1 * rteosq * m_con41 +
             0.0625 * temp2 * rteosq * (13.0 - 78.0 * cosio2 + 137.0 * cosio4);
    m_argpdot = -0.5 * temp1 * con42 + 0.0625 * temp2 * (7.0 - 114.0 * cosio2 + 395.0 * cosio4) +
                temp3 * (3.0 - 36.0 * cosio2 + 49.0 * cosio4);
    const double xhdot1 = -temp1 * cosio;
    m_nodedot = xhdot1 + (0.5 * temp2 * (4.0 - 19.0 * cosio2) + 2.0 * temp3 * (3.0 - 7.0 * cosio2)) * cosio;
    const double xpidot = m_argpdot + m_nodedot;
    m_omgcof = m_bstar * cc3 * std::cos(m_argpo);
    m_xmcof = 0.0;
    if (m_ecco > 1.0e-4) m_xmcof = -kX2o3 * coef * m_bstar / eeta;
    m_nodecf = 3.5 * omeosq * xhdot1 * m_cc1;
    m_t2cof = 1.5 * m_cc1;
    if (std::fabs(cosio + 1.0) > 1.5e-12) {
      m_xlcof = -0.25 * g.j3oj2 * sinio * (3.0 + 5.0 * cosio) / (1.0 + cosio);
    } else {
      m_xlcof = -0.25 * g.j3oj2 * sinio * (3.0 + 5.0 * cosio) / kTemp4;
    }
    m_aycof = -0.5 * g.j3oj2 * sinio;
    m_delmo = std::pow(1.0 + m_eta * std::cos(m_mo), 3);
    m_sinmao = std::sin(m_mo);
    m_x7thm1 = 7.0 * cosio2 - 1.0;

    // Periods of 225 minutes or more use the deep-space terms.
    if (kTwoPi / m_no_unkozai >= 225.0) {
      m_deep = true;
      m_isimp = true;
      detail::DeepInitInput in;
      in.epoch = epoch;
      in.ecco = m_ecco;
      in.argpo = m_argpo;
      in.inclo = m_inclo;
      in.nodeo = m_nodeo;
      in.mo = m_mo;
      in.no_unkozai = m_no_unkozai;
      in.mdot = m_mdot;
      in.nodedot = m_nodedot;
      in.xpidot = xpidot;
      in.gsto = m_gsto;
      in.eccsq = eccsq;
      m_ds = detail::deep_space_init(in);
    }

    if (!m_isimp) {
      const double cc1sq = m_cc1 * m_cc1;
      m_d2 = 4.0 * ao * tsi * cc1sq;
      const double temp = m_d2 * tsi * m_cc1 / 3.0;
      m_d3 = (17.0 * ao + sfour) * temp;
      m_d4 = 0.5 * temp * ao * tsi * (221.0 * ao + 31.0 * sfour) * m_cc1;
      m_t3cof = m_d2 + 2.0 * cc1sq;
      m_t4cof = 0.25 * (3.0 * m_d3 + m_cc1 * (12.0 * m_d2 + 10.0 * cc1sq));
      m_t5cof = 0.2 * (3.0 * m_d4 + 12.0 * m_cc1 * m_d3 + 6.0 * m_d2 * m_d2 + 15.0 * cc1sq * (2.0 * m_d2 + cc1sq));
    }
  }

  StateVector at_epoch;
  m_init_error = propagate(0.0, at_epoch);
}

Sgp4Error Sgp4Propagator::propagate(double t, StateVector& out) const noexcept {
  if (m_invalid != Sgp4Error::none) return m_invalid;
  const Gravity& g = gravity();
  const double vkmpersec = g.radius * g.xke / 60.0;

  // Secular gravity and atmospheric drag.
  const double xmdf = m_mo + m_mdot * t;
  const double argpdf = m_argpo + m_argpdot * t;
  const double nodedf = m_nodeo + m_nodedot * t;
  double argpm = argpdf;
  double mm = xmdf;
  const double t2 = t * t;
  double nodem = nodedf + m_nodecf * t2;
  double tempa = 1.0 - m_cc1 * t;
  double tempe = m_bstar * m_cc4 * t;
  double templ = m_t2cof * t2;

  if (!m_isimp) {
    const double delomg = m_omgcof * t;
    const double delmtemp = 1.0 + m_eta * std::cos(xmdf);
    const double delm = m_xmcof * (delmtemp * delmtemp * delmtemp - m_delmo);
    const double temp = delomg + delm;
    mm = xmdf + temp;
    argpm = argpdf - temp;
    const double t3 = t2 * t;
    const double t4 = t3 * t;
    tempa = tempa - m_d2 * t2 - m_d3 * t3 - m_d4 * t4;
    tempe = tempe + m_bstar * m_cc5 * (std::sin(mm) - m_sinmao);
    templ = templ + m_t3cof * t3 + t4 * (m_t4cof + t * m_t5cof);
  }

  double nm = m_no_unkozai;
  double em = m_ecco;
  double inclm = m_inclo;
  if (m_deep) {
    detail::deep_space_secular(m_ds, m_argpo, m_argpdot, m_gsto, m_no_unkozai, t, em, argpm, inclm, mm, nodem, nm);
  }

  if (nm <= 0.0) return Sgp4Error::negative_mean_motion;
  // (xke/nm)^(2/3) is the constant m_ao unless deep-space terms changed nm; pow is slow.
  const double am = (m_deep ? std::pow(g.xke / nm, kX2o3) : m_ao) * tempa * tempa;
  nm = g.xke / (am * std::sqrt(am));
  em = em - tempe;

  // The reference tolerates slightly negative eccentricity here (down to -0.001).
  if (em >= 1.0 || em < -0.001) return Sgp4Error::mean_eccentricity;
  if (em < 1.0e-6) em = 1.0e-6;
  mm = mm + m_no_unkozai * templ;
  double xlm = mm + argpm + nodem;

  nodem = std::fmod(nodem, kTwoPi);
  argpm = std::fmod(argpm, kTwoPi);
  xlm = std::fmod(xlm, kTwoPi);
  mm = std::fmod(xlm - argpm - nodem, kTwoPi);

  const double sinim = std::sin(inclm);
  const double cosim = std::cos(inclm);

  // Lunar-solar periodics.
  double ep = em;
  double xincp = inclm;
  double argpp = argpm;
  double nodep = nodem;
  double mp = mm;
  double sinip = sinim;
  double cosip = cosim;
  double aycof = m_aycof;
  double xlcof = m_xlcof;
  double con41 = m_con41;
  double x1mth2 = m_x1mth2;
  double x7thm1 = m_x7thm1;
  if (m_deep) {
    detail::deep_space_periodics(m_ds, t, ep, xincp, nodep, argpp, mp);
    if (xincp < 0.0) {
      xincp = -xincp;
      nodep = nodep + kPi;
      argpp = argpp - kPi;
    }
    if (ep < 0.0 || ep > 1.0) return Sgp4Error::perturbed_eccentricity;
    // Long-period coefficients depend on the perturbed inclination.
    sinip = std::sin(xincp);
    cosip = std::cos(xincp);
    aycof = -0.5 * g.j3oj2 * sinip;
    if (std::fabs(cosip + 1.0) > 1.5e-12) {
      xlcof = -0.25 * g.j3oj2 * sinip * (3.0 + 5.0 * cosip) / (1.0 + cosip);
    } else {
      xlcof = -0.25 * g.j3oj2 * sinip * (3.0 + 5.0 * cosip) / kTemp4;
    }
  }

  // Long-period periodics.
  const double axnl = ep * std::cos(argpp);
  double temp = 1.0 / (am * (1.0 - ep * ep));
  const double aynl = ep * std::sin(argpp) + temp * aycof;
  const double xl = mp + argpp + nodep + temp * xlcof * axnl;

  // Kepler's equation for the eccentric longitude, Newton steps limited to 0.95 rad.
  const double u = std::fmod(xl - nodep, kTwoPi);
  double eo1 = u;
  double tem5 = 9999.9;
  int ktr = 1;
  double sineo1 = 0.0;
  double coseo1 = 0.0;
  while (std::fabs(tem5) >= 1.0e-12 && ktr <= 10) {
    sineo1 = std::sin(eo1);
    coseo1 = std::cos(eo1);
    tem5 = 1.0 - coseo1 * axnl - sineo1 * aynl;
    tem5 = (u - aynl * coseo1 + axnl * sineo1 - eo1) / tem5;
    if (std::fabs(tem5) >= 0.95) tem5 = tem5 > 0.0 ? 0.95 : -0.95;
    eo1 = eo1 + tem5;
    ++ktr;
  }

  // Short-period preliminaries.
  const double ecose = axnl * coseo1 + aynl * sineo1;
  const double esine = axnl * sineo1 - aynl * coseo1;
  const double el2 = axnl * axnl + aynl * aynl;
  const double pl = am * (1.0 - el2);
  if (pl < 0.0) return Sgp4Error::negative_semi_latus;

  const double rl = am * (1.0 - ecose);
  const double rdotl = std::sqrt(am) * esine / rl;
  const double rvdotl = std::sqrt(pl) / rl;
  const double betal = std::sqrt(1.0 - el2);
  temp = esine / (1.0 + betal);
  const double sinu = am / rl * (sineo1 - aynl - axnl * temp);
  const double cosu = am / rl * (coseo1 - axnl + aynl * temp);
  double su = std::atan2(sinu, cosu);
  const double sin2u = (cosu + cosu) * sinu;
  const double cos2u = 1.0 - 2.0 * sinu * sinu;
  temp = 1.0 / pl;
  const double temp1 = 0.5 * g.j2 * temp;
  const double temp2 = temp1 * temp;

  if (m_deep) {
    const double cosisq = cosip * cosip;
    con41 = 3.0 * cosisq - 1.0;
    x1mth2 = 1.0 - cosisq;
    x7thm1 = 7.0 * cosisq - 1.0;
  }
  // Short-period periodics.
  const double mrt = rl * (1.0 - 1.5 * temp2 * betal * con41) + 0.5 * temp1 * x1mth2 * cos2u;
  su = su - 0.25 * temp2 * x7thm1 * sin2u;
  const double xnode = nodep + 1.5 * temp2 * cosip * sin2u;
  const double xinc = xincp + 1.5 * temp2 * cosip * sinip * cos2u;
  const double mvt = rdotl - nm * temp1 * x1mth2 * sin2u / g.xke;
  const double rvdot = rvdotl + nm * temp1 * (x1mth2 * cos2u + 1.5 * con41) / g.xke;

  // Orientation vectors.
  const double sinsu = std::sin(su);
  const double cossu = std::cos(su);
  const double snod = std::sin(xnode);
  const double cnod = std::cos(xnode);
  const double sini = std::sin(xinc);
  const double cosi = std::cos(xinc);
  const double xmx = -snod * cosi;
  const double xmy = cnod * cosi;
  const double ux = xmx * sinsu + cnod * cossu;
  const double uy = xmy * sinsu + snod * cossu;
  const double uz = sini * sinsu;
  const double vx = xmx * cossu - cnod * sinsu;
  const double vy = xmy * cossu - snod * sinsu;
  const double vz = sini * cossu;

  // A radius below one earth radius means the satellite has decayed: no state.
  if (mrt < 1.0) return Sgp4Error::decayed;

  const StateVector state{
      {mrt * ux * g.radius, mrt * uy * g.radius, mrt * uz * g.radius},
      {(mvt * ux + rvdot * vx) * vkmpersec, (mvt * uy + rvdot * vy) * vkmpersec, (mvt * uz + rvdot * vz) * vkmpersec}};
  for (int i = 0; i < 3; ++i) {
    if (!std::isfinite(state.r_km[i]) || !std::isfinite(state.v_km_s[i])) return Sgp4Error::non_finite;
  }
  out = state;
  return Sgp4Error::none;
}

}  // namespace shipchips::orbit
