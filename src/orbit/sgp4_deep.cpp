// Deep-space (SDP4) terms of SGP4 after Vallado et al. 2006: lunar and solar perturbation
// coefficients (dscom), secular rates and the 12 h / 24 h geopotential resonances (dsinit,
// dspace), and the lunar-solar periodics with the Lyddane modification at low inclination
// (dpper). Operation mode 'i' only. Names follow the paper.
#include "orbit/sgp4_deep.hpp"

#include <cmath>
#include <numbers>

namespace shipchips::orbit::detail {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr double kX2o3 = 2.0 / 3.0;

// Solar and lunar constants.
constexpr double zes = 0.01675;
constexpr double zel = 0.05490;
constexpr double zns = 1.19459e-5;
constexpr double znl = 1.5835218e-4;
constexpr double rptim = 4.37526908801129966e-3;  // earth rotation, rad/min

double xke() {
  static const double value =
      60.0 / std::sqrt(wgs72::radius_km * wgs72::radius_km * wgs72::radius_km / wgs72::mu_km3_s2);
  return value;
}

// Output of dscom that dsinit needs besides the periodic coefficients.
struct Common {
  double sinim, cosim, emsq, nm, em;
  double s1, s2, s3, s4, s5, ss1, ss2, ss3, ss4, ss5;
  double sz1, sz3, sz11, sz13, sz21, sz23, sz31, sz33;
  double z1, z3, z11, z13, z21, z23, z31, z33;
};

// One body's (sun's or moon's) geometry terms; dscom evaluates this twice.
struct BodyTerms {
  double s1, s2, s3, s4, s5, s6, s7;
  double z1, z2, z3, z11, z12, z13, z21, z22, z23, z31, z32, z33;
};

BodyTerms body_terms(double zcosg, double zsing, double zcosi, double zsini, double zcosh, double zsinh, double cc,
                     double xnoi, double cosim, double sinim, double cosomm, double sinomm, double em, double emsq,
                     double betasq, double rtemsq) {
  const double a1 = zcosg * zcosh + zsing * zcosi * zsinh;
  const double a3 = -zsing * zcosh + zcosg * zcosi * zsinh;
  const double a7 = -zcosg * zsinh + zsing * zcosi * zcosh;
  const double a8 = zsing * zsini;
  const double a9 = zsing * zsinh + zcosg * zcosi * zcosh;
  const double a10 = zcosg * zsini;
  const double a2 = cosim * a7 + sinim * a8;
  const double a4 = cosim * a9 + sinim * a10;
  const double a5 = -sinim * a7 + cosim * a8;
  const double a6 = -sinim * a9 + cosim * a10;

  const double x1 = a1 * cosomm + a2 * sinomm;
  const double x2 = a3 * cosomm + a4 * sinomm;
  const double x3 = -a1 * sinomm + a2 * cosomm;
  const double x4 = -a3 * sinomm + a4 * cosomm;
  const double x5 = a5 * sinomm;
  const double x6 = a6 * sinomm;
  const double x7 = a5 * cosomm;
  const double x8 = a6 * cosomm;

  BodyTerms b;
  b.z31 = 12.0 * x1 * x1 - 3.0 * x3 * x3;
  b.z32 = 24.0 * x1 * x2 - 6.0 * x3 * x4;
  b.z33 = 12.0 * x2 * x2 - 3.0 * x4 * x4;
  b.z1 = 3.0 * (a1 * a1 + a2 * a2) + b.z31 * emsq;
  b.z2 = 6.0 * (a1 * a3 + a2 * a4) + b.z32 * emsq;
  b.z3 = 3.0 * (a3 * a3 + a4 * a4) + b.z33 * emsq;
  b.z11 = -6.0 * a1 * a5 + emsq * (-24.0 * x1 * x7 - 6.0 * x3 * x5);
  b.z12 = -6.0 * (a1 * a6 + a3 * a5) + emsq * (-24.0 * (x2 * x7 + x1 * x8) - 6.0 * (x3 * x6 + x4 * x5));
  b.z13 = -6.0 * a3 * a6 + emsq * (-24.0 * x2 * x8 - 6.0 * x4 * x6);
  b.z21 = 6.0 * a2 * a5 + emsq * (24.0 * x1 * x5 - 6.0 * x3 * x7);
  b.z22 = 6.0 * (a4 * a5 + a2 * a6) + emsq * (24.0 * (x2 * x5 + x1 * x6) - 6.0 * (x4 * x7 + x3 * x8));
  b.z23 = 6.0 * a4 * a6 + emsq * (24.0 * x2 * x6 - 6.0 * x4 * x8);
  b.z1 = b.z1 + b.z1 + betasq * b.z31;
  b.z2 = b.z2 + b.z2 + betasq * b.z32;
  b.z3 = b.z3 + b.z3 + betasq * b.z33;
  b.s3 = cc * xnoi;
  b.s2 = -0.5 * b.s3 / rtemsq;
  b.s4 = b.s3 * rtemsq;
  b.s1 = -15.0 * em * b.s4;
  b.s5 = x1 * x3 + x2 * x4;
  b.s6 = x2 * x3 + x1 * x4;
  b.s7 = x2 * x4 - x1 * x3;
  return b;
}

// dscom: lunar and solar terms for the epoch.
Common dscom(const DeepInitInput& in, DeepCoefficients& ds) {
  constexpr double c1ss = 2.9864797e-6;
  constexpr double c1l = 4.7968065e-7;
  constexpr double zsinis = 0.39785416;
  constexpr double zcosis = 0.91744867;
  constexpr double zcosgs = 0.1945905;
  constexpr double zsings = -0.98088458;

  Common c{};
  const double tc = 0.0;
  c.nm = in.no_unkozai;
  c.em = in.ecco;
  const double snodm = std::sin(in.nodeo);
  const double cnodm = std::cos(in.nodeo);
  const double sinomm = std::sin(in.argpo);
  const double cosomm = std::cos(in.argpo);
  c.sinim = std::sin(in.inclo);
  c.cosim = std::cos(in.inclo);
  c.emsq = c.em * c.em;
  const double betasq = 1.0 - c.emsq;
  const double rtemsq = std::sqrt(betasq);

  ds.peo = ds.pinco = ds.plo = ds.pgho = ds.pho = 0.0;
  const double day = in.epoch + 18261.5 + tc / 1440.0;  // days since 1900 January 0.5
  const double xnodce = std::fmod(4.5236020 - 9.2422029e-4 * day, kTwoPi);
  const double stem = std::sin(xnodce);
  const double ctem = std::cos(xnodce);
  const double zcosil = 0.91375164 - 0.03568096 * ctem;
  const double zsinil = std::sqrt(1.0 - zcosil * zcosil);
  const double zsinhl = 0.089683511 * stem / zsinil;
  const double zcoshl = std::sqrt(1.0 - zsinhl * zsinhl);
  const double gam = 5.8351514 + 0.0019443680 * day;
  double zx = 0.39785416 * stem / zsinil;
  const double zy = zcoshl * ctem + 0.91744867 * zsinhl * stem;
  zx = std::atan2(zx, zy);
  zx = gam + zx - xnodce;
  const double zcosgl = std::cos(zx);
  const double zsingl = std::sin(zx);

  const double xnoi = 1.0 / c.nm;
  // Sun first, then the moon (whose node is referred to the orbit's node).
  const BodyTerms sun = body_terms(zcosgs, zsings, zcosis, zsinis, cnodm, snodm, c1ss, xnoi, c.cosim, c.sinim, cosomm,
                                   sinomm, c.em, c.emsq, betasq, rtemsq);
  const double zcosh = zcoshl * cnodm + zsinhl * snodm;
  const double zsinh = snodm * zcoshl - cnodm * zsinhl;
  const BodyTerms moon = body_terms(zcosgl, zsingl, zcosil, zsinil, zcosh, zsinh, c1l, xnoi, c.cosim, c.sinim, cosomm,
                                    sinomm, c.em, c.emsq, betasq, rtemsq);

  ds.zmol = std::fmod(4.7199672 + 0.22997150 * day - gam, kTwoPi);
  ds.zmos = std::fmod(6.2565837 + 0.017201977 * day, kTwoPi);

  // Solar periodic coefficients.
  ds.se2 = 2.0 * sun.s1 * sun.s6;
  ds.se3 = 2.0 * sun.s1 * sun.s7;
  ds.si2 = 2.0 * sun.s2 * sun.z12;
  ds.si3 = 2.0 * sun.s2 * (sun.z13 - sun.z11);
  ds.sl2 = -2.0 * sun.s3 * sun.z2;
  ds.sl3 = -2.0 * sun.s3 * (sun.z3 - sun.z1);
  ds.sl4 = -2.0 * sun.s3 * (-21.0 - 9.0 * c.emsq) * zes;
  ds.sgh2 = 2.0 * sun.s4 * sun.z32;
  ds.sgh3 = 2.0 * sun.s4 * (sun.z33 - sun.z31);
  ds.sgh4 = -18.0 * sun.s4 * zes;
  ds.sh2 = -2.0 * sun.s2 * sun.z22;
  ds.sh3 = -2.0 * sun.s2 * (sun.z23 - sun.z21);
  // Lunar periodic coefficients.
  ds.ee2 = 2.0 * moon.s1 * moon.s6;
  ds.e3 = 2.0 * moon.s1 * moon.s7;
  ds.xi2 = 2.0 * moon.s2 * moon.z12;
  ds.xi3 = 2.0 * moon.s2 * (moon.z13 - moon.z11);
  ds.xl2 = -2.0 * moon.s3 * moon.z2;
  ds.xl3 = -2.0 * moon.s3 * (moon.z3 - moon.z1);
  ds.xl4 = -2.0 * moon.s3 * (-21.0 - 9.0 * c.emsq) * zel;
  ds.xgh2 = 2.0 * moon.s4 * moon.z32;
  ds.xgh3 = 2.0 * moon.s4 * (moon.z33 - moon.z31);
  ds.xgh4 = -18.0 * moon.s4 * zel;
  ds.xh2 = -2.0 * moon.s2 * moon.z22;
  ds.xh3 = -2.0 * moon.s2 * (moon.z23 - moon.z21);

  c.s1 = moon.s1;
  c.s2 = moon.s2;
  c.s3 = moon.s3;
  c.s4 = moon.s4;
  c.s5 = moon.s5;
  c.ss1 = sun.s1;
  c.ss2 = sun.s2;
  c.ss3 = sun.s3;
  c.ss4 = sun.s4;
  c.ss5 = sun.s5;
  c.sz1 = sun.z1;
  c.sz3 = sun.z3;
  c.sz11 = sun.z11;
  c.sz13 = sun.z13;
  c.sz21 = sun.z21;
  c.sz23 = sun.z23;
  c.sz31 = sun.z31;
  c.sz33 = sun.z33;
  c.z1 = moon.z1;
  c.z3 = moon.z3;
  c.z11 = moon.z11;
  c.z13 = moon.z13;
  c.z21 = moon.z21;
  c.z23 = moon.z23;
  c.z31 = moon.z31;
  c.z33 = moon.z33;
  return c;
}

// Coefficients of the half-day (12 h, eccentric) resonance: Hansen-like polynomials in e.
void half_day_resonance(const DeepInitInput& in, const Common& c, double aonv, double theta, DeepCoefficients& ds) {
  constexpr double root22 = 1.7891679e-6;
  constexpr double root44 = 7.3636953e-9;
  constexpr double root54 = 2.1765803e-9;
  constexpr double root32 = 3.7393792e-7;
  constexpr double root52 = 1.1428639e-7;
  const double cosim = c.cosim;
  const double sinim = c.sinim;
  const double cosisq = cosim * cosim;
  const double em = in.ecco;
  const double emsq = in.eccsq;
  const double eoc = em * emsq;
  const double g201 = -0.306 - (em - 0.64) * 0.440;
  double g211, g310, g322, g410, g422, g520, g521, g532, g533;
  if (em <= 0.65) {
    g211 = 3.616 - 13.2470 * em + 16.2900 * emsq;
    g310 = -19.302 + 117.3900 * em - 228.4190 * emsq + 156.5910 * eoc;
    g322 = -18.9068 + 109.7927 * em - 214.6334 * emsq + 146.5816 * eoc;
    g410 = -41.122 + 242.6940 * em - 471.0940 * emsq + 313.9530 * eoc;
    g422 = -146.407 + 841.8800 * em - 1629.014 * emsq + 1083.4350 * eoc;
    g520 = -532.114 + 3017.977 * em - 5740.032 * emsq + 3708.2760 * eoc;
  } else {
    g211 = -72.099 + 331.819 * em - 508.738 * emsq + 266.724 * eoc;
    g310 = -346.844 + 1582.851 * em - 2415.925 * emsq + 1246.113 * eoc;
    g322 = -342.585 + 1554.908 * em - 2366.899 * emsq + 1215.972 * eoc;
    g410 = -1052.797 + 4758.686 * em - 7193.992 * emsq + 3651.957 * eoc;
    g422 = -3581.690 + 16178.110 * em - 24462.770 * emsq + 12422.520 * eoc;
    if (em > 0.715) {
      g520 = -5149.66 + 29936.92 * em - 54087.36 * emsq + 31324.56 * eoc;
    } else {
      g520 = 1464.74 - 4664.75 * em + 3763.64 * emsq;
    }
  }
  if (em < 0.7) {
    g533 = -919.22770 + 4988.6100 * em - 9064.7700 * emsq + 5542.21 * eoc;
    g521 = -822.71072 + 4568.6173 * em - 8491.4146 * emsq + 5337.524 * eoc;
    g532 = -853.66600 + 4690.2500 * em - 8624.7700 * emsq + 5341.4 * eoc;
  } else {
    g533 = -37995.780 + 161616.52 * em - 229838.20 * emsq + 109377.94 * eoc;
    g521 = -51752.104 + 218913.95 * em - 309468.16 * emsq + 146349.42 * eoc;
    g532 = -40023.880 + 170470.89 * em - 242699.48 * emsq + 115605.82 * eoc;
  }

  const double sini2 = sinim * sinim;
  const double f220 = 0.75 * (1.0 + 2.0 * cosim + cosisq);
  const double f221 = 1.5 * sini2;
  const double f321 = 1.875 * sinim * (1.0 - 2.0 * cosim - 3.0 * cosisq);
  const double f322 = -1.875 * sinim * (1.0 + 2.0 * cosim - 3.0 * cosisq);
  const double f441 = 35.0 * sini2 * f220;
  const double f442 = 39.3750 * sini2 * sini2;
  const double f522 =
      9.84375 * sinim * (sini2 * (1.0 - 2.0 * cosim - 5.0 * cosisq) + 0.33333333 * (-2.0 + 4.0 * cosim + 6.0 * cosisq));
  const double f523 = sinim * (4.92187512 * sini2 * (-2.0 - 4.0 * cosim + 10.0 * cosisq) +
                               6.56250012 * (1.0 + 2.0 * cosim - 3.0 * cosisq));
  const double f542 = 29.53125 * sinim * (2.0 - 8.0 * cosim + cosisq * (-12.0 + 8.0 * cosim + 10.0 * cosisq));
  const double f543 = 29.53125 * sinim * (-2.0 - 8.0 * cosim + cosisq * (12.0 + 8.0 * cosim - 10.0 * cosisq));
  const double xno2 = c.nm * c.nm;
  const double ainv2 = aonv * aonv;
  double temp1 = 3.0 * xno2 * ainv2;
  double temp = temp1 * root22;
  ds.d2201 = temp * f220 * g201;
  ds.d2211 = temp * f221 * g211;
  temp1 = temp1 * aonv;
  temp = temp1 * root32;
  ds.d3210 = temp * f321 * g310;
  ds.d3222 = temp * f322 * g322;
  temp1 = temp1 * aonv;
  temp = 2.0 * temp1 * root44;
  ds.d4410 = temp * f441 * g410;
  ds.d4422 = temp * f442 * g422;
  temp1 = temp1 * aonv;
  temp = temp1 * root52;
  ds.d5220 = temp * f522 * g520;
  ds.d5232 = temp * f523 * g532;
  temp = 2.0 * temp1 * root54;
  ds.d5421 = temp * f542 * g521;
  ds.d5433 = temp * f543 * g533;
  ds.xlamo = std::fmod(in.mo + in.nodeo + in.nodeo - theta - theta, kTwoPi);
  ds.xfact = in.mdot + ds.dmdt + 2.0 * (in.nodedot + ds.dnodt - rptim) - in.no_unkozai;
}

// Coefficients of the synchronous (24 h) resonance.
void synchronous_resonance(const DeepInitInput& in, const Common& c, double aonv, double theta, DeepCoefficients& ds) {
  constexpr double q22 = 1.7891679e-6;
  constexpr double q31 = 2.1460748e-6;
  constexpr double q33 = 2.2123015e-7;
  const double cosim = c.cosim;
  const double sinim = c.sinim;
  const double emsq = c.emsq;
  const double g200 = 1.0 + emsq * (-2.5 + 0.8125 * emsq);
  const double g310 = 1.0 + 2.0 * emsq;
  const double g300 = 1.0 + emsq * (-6.0 + 6.60937 * emsq);
  const double f220 = 0.75 * (1.0 + cosim) * (1.0 + cosim);
  const double f311 = 0.9375 * sinim * sinim * (1.0 + 3.0 * cosim) - 0.75 * (1.0 + cosim);
  double f330 = 1.0 + cosim;
  f330 = 1.875 * f330 * f330 * f330;
  ds.del1 = 3.0 * c.nm * c.nm * aonv * aonv;
  ds.del2 = 2.0 * ds.del1 * f220 * g200 * q22;
  ds.del3 = 3.0 * ds.del1 * f330 * g300 * q33 * aonv;
  ds.del1 = ds.del1 * f311 * g310 * q31 * aonv;
  ds.xlamo = std::fmod(in.mo + in.nodeo + in.argpo - theta, kTwoPi);
  ds.xfact = in.mdot + in.xpidot - rptim + ds.dmdt + ds.domdt + ds.dnodt - in.no_unkozai;
}

}  // namespace

DeepCoefficients deep_space_init(const DeepInitInput& in) {
  DeepCoefficients ds;
  const Common c = dscom(in, ds);

  // dsinit at t = 0.
  const double nm = c.nm;
  const double em = c.em;
  ds.irez = 0;
  if (nm < 0.0052359877 && nm > 0.0034906585) ds.irez = 1;
  if (nm >= 8.26e-3 && nm <= 9.24e-3 && em >= 0.5) ds.irez = 2;

  // Solar secular terms.
  const double ses = c.ss1 * zns * c.ss5;
  const double sis = c.ss2 * zns * (c.sz11 + c.sz13);
  const double sls = -zns * c.ss3 * (c.sz1 + c.sz3 - 14.0 - 6.0 * c.emsq);
  const double sghs = c.ss4 * zns * (c.sz31 + c.sz33 - 6.0);
  double shs = -zns * c.ss2 * (c.sz21 + c.sz23);
  // Near 0° and 180° inclination the node rate is undefined: drop it.
  const double inclm = in.inclo;
  const bool near_equatorial = inclm < 5.2359877e-2 || inclm > kPi - 5.2359877e-2;
  if (near_equatorial) shs = 0.0;
  if (c.sinim != 0.0) shs = shs / c.sinim;
  const double sgs = sghs - c.cosim * shs;

  // Lunar secular terms.
  ds.dedt = ses + c.s1 * znl * c.s5;
  ds.didt = sis + c.s2 * znl * (c.z11 + c.z13);
  ds.dmdt = sls - znl * c.s3 * (c.z1 + c.z3 - 14.0 - 6.0 * c.emsq);
  const double sghl = c.s4 * znl * (c.z31 + c.z33 - 6.0);
  double shll = -znl * c.s2 * (c.z21 + c.z23);
  if (near_equatorial) shll = 0.0;
  ds.domdt = sgs + sghl;
  ds.dnodt = shs;
  if (c.sinim != 0.0) {
    ds.domdt = ds.domdt - c.cosim / c.sinim * shll;
    ds.dnodt = ds.dnodt + shll / c.sinim;
  }

  const double theta = std::fmod(in.gsto, kTwoPi);
  if (ds.irez != 0) {
    const double aonv = std::pow(nm / xke(), kX2o3);
    if (ds.irez == 2) half_day_resonance(in, c, aonv, theta, ds);
    if (ds.irez == 1) synchronous_resonance(in, c, aonv, theta, ds);
  }
  return ds;
}

void deep_space_secular(const DeepCoefficients& ds, double argpo, double argpdot, double gsto, double no_unkozai,
                        double t, double& em, double& argpm, double& inclm, double& mm, double& nodem,
                        double& nm) noexcept {
  constexpr double fasx2 = 0.13130908;
  constexpr double fasx4 = 2.8843198;
  constexpr double fasx6 = 0.37448087;
  constexpr double g22 = 5.7686396;
  constexpr double g32 = 0.95240898;
  constexpr double g44 = 1.8014998;
  constexpr double g52 = 1.0508330;
  constexpr double g54 = 4.4108898;
  constexpr double stepp = 720.0;
  constexpr double stepn = -720.0;
  constexpr double step2 = 259200.0;

  const double theta = std::fmod(gsto + t * rptim, kTwoPi);
  em += ds.dedt * t;
  inclm += ds.didt * t;
  argpm += ds.domdt * t;
  nodem += ds.dnodt * t;
  mm += ds.dmdt * t;
  if (ds.irez == 0) return;

  // Euler-Maclaurin integration of the resonance in 720-minute steps from epoch.
  double atime = 0.0;
  double xni = no_unkozai;
  double xli = ds.xlamo;
  const double delt = t > 0.0 ? stepp : stepn;
  double ft = 0.0;
  double xndt = 0.0, xldot = 0.0, xnddt = 0.0;
  for (;;) {
    if (ds.irez != 2) {
      xndt = ds.del1 * std::sin(xli - fasx2) + ds.del2 * std::sin(2.0 * (xli - fasx4)) +
             ds.del3 * std::sin(3.0 * (xli - fasx6));
      xldot = xni + ds.xfact;
      xnddt = ds.del1 * std::cos(xli - fasx2) + 2.0 * ds.del2 * std::cos(2.0 * (xli - fasx4)) +
              3.0 * ds.del3 * std::cos(3.0 * (xli - fasx6));
      xnddt = xnddt * xldot;
    } else {
      const double xomi = argpo + argpdot * atime;
      const double x2omi = xomi + xomi;
      const double x2li = xli + xli;
      xndt = ds.d2201 * std::sin(x2omi + xli - g22) + ds.d2211 * std::sin(xli - g22) +
             ds.d3210 * std::sin(xomi + xli - g32) + ds.d3222 * std::sin(-xomi + xli - g32) +
             ds.d4410 * std::sin(x2omi + x2li - g44) + ds.d4422 * std::sin(x2li - g44) +
             ds.d5220 * std::sin(xomi + xli - g52) + ds.d5232 * std::sin(-xomi + xli - g52) +
             ds.d5421 * std::sin(xomi + x2li - g54) + ds.d5433 * std::sin(-xomi + x2li - g54);
      xldot = xni + ds.xfact;
      xnddt = ds.d2201 * std::cos(x2omi + xli - g22) + ds.d2211 * std::cos(xli - g22) +
              ds.d3210 * std::cos(xomi + xli - g32) + ds.d3222 * std::cos(-xomi + xli - g32) +
              ds.d5220 * std::cos(xomi + xli - g52) + ds.d5232 * std::cos(-xomi + xli - g52) +
              2.0 * (ds.d4410 * std::cos(x2omi + x2li - g44) + ds.d4422 * std::cos(x2li - g44) +
                     ds.d5421 * std::cos(xomi + x2li - g54) + ds.d5433 * std::cos(-xomi + x2li - g54));
      xnddt = xnddt * xldot;
    }
    if (std::fabs(t - atime) < stepp) {
      ft = t - atime;
      break;
    }
    xli = xli + xldot * delt + xndt * step2;
    xni = xni + xndt * delt + xnddt * step2;
    atime = atime + delt;
  }

  nm = xni + xndt * ft + xnddt * ft * ft * 0.5;
  const double xl = xli + xldot * ft + xndt * ft * ft * 0.5;
  if (ds.irez != 1) {
    mm = xl - 2.0 * nodem + 2.0 * theta;
  } else {
    mm = xl - nodem - argpm + theta;
  }
  const double dndt = nm - no_unkozai;
  nm = no_unkozai + dndt;
}

void deep_space_periodics(const DeepCoefficients& ds, double t, double& ep, double& inclp, double& nodep, double& argpp,
                          double& mp) noexcept {
  // Solar terms.
  double zm = ds.zmos + zns * t;
  double zf = zm + 2.0 * zes * std::sin(zm);
  double sinzf = std::sin(zf);
  double f2 = 0.5 * sinzf * sinzf - 0.25;
  double f3 = -0.5 * sinzf * std::cos(zf);
  const double ses = ds.se2 * f2 + ds.se3 * f3;
  const double sis = ds.si2 * f2 + ds.si3 * f3;
  const double sls = ds.sl2 * f2 + ds.sl3 * f3 + ds.sl4 * sinzf;
  const double sghs = ds.sgh2 * f2 + ds.sgh3 * f3 + ds.sgh4 * sinzf;
  const double shs = ds.sh2 * f2 + ds.sh3 * f3;
  // Lunar terms.
  zm = ds.zmol + znl * t;
  zf = zm + 2.0 * zel * std::sin(zm);
  sinzf = std::sin(zf);
  f2 = 0.5 * sinzf * sinzf - 0.25;
  f3 = -0.5 * sinzf * std::cos(zf);
  const double sel = ds.ee2 * f2 + ds.e3 * f3;
  const double sil = ds.xi2 * f2 + ds.xi3 * f3;
  const double sll = ds.xl2 * f2 + ds.xl3 * f3 + ds.xl4 * sinzf;
  const double sghl = ds.xgh2 * f2 + ds.xgh3 * f3 + ds.xgh4 * sinzf;
  const double shll = ds.xh2 * f2 + ds.xh3 * f3;

  const double pe = ses + sel - ds.peo;
  const double pinc = sis + sil - ds.pinco;
  const double pl = sls + sll - ds.plo;
  double pgh = sghs + sghl - ds.pgho;
  double ph = shs + shll - ds.pho;

  inclp = inclp + pinc;
  ep = ep + pe;
  const double sinip = std::sin(inclp);
  const double cosip = std::cos(inclp);
  // Above 0.2 rad (11.46°) of perturbed inclination apply directly; below, Lyddane's
  // modification avoids the singularity of the node at zero inclination.
  if (inclp >= 0.2) {
    ph = ph / sinip;
    pgh = pgh - cosip * ph;
    argpp = argpp + pgh;
    nodep = nodep + ph;
    mp = mp + pl;
  } else {
    const double sinop = std::sin(nodep);
    const double cosop = std::cos(nodep);
    double alfdp = sinip * sinop;
    double betdp = sinip * cosop;
    const double dalf = ph * cosop + pinc * cosip * sinop;
    const double dbet = -ph * sinop + pinc * cosip * cosop;
    alfdp = alfdp + dalf;
    betdp = betdp + dbet;
    nodep = std::fmod(nodep, kTwoPi);
    double xls = mp + argpp + cosip * nodep;
    const double dls = pl + pgh - pinc * nodep * sinip;
    xls = xls + dls;
    const double xnoh = nodep;
    nodep = std::atan2(alfdp, betdp);
    if (std::fabs(xnoh - nodep) > kPi) {
      if (nodep < xnoh) {
        nodep = nodep + kTwoPi;
      } else {
        nodep = nodep - kTwoPi;
      }
    }
    mp = mp + pl;
    argpp = xls - mp - cosip * nodep;
  }
}

}  // namespace shipchips::orbit::detail
