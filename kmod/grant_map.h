/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVISOR_GRANT_MAP_H
#define PVISOR_GRANT_MAP_H

bool pvisor_grant_map_params_ok(void);
int pvisor_grant_file_open(void);

#endif /* PVISOR_GRANT_MAP_H */
