#ifndef SABLE_HV_VERSION_H
#define SABLE_HV_VERSION_H
#define SABLE_VERSION "0.1"
#endif
