import * as z from '../../shared/http/zod';
import { idSchema } from '../../shared/ids';
import { PROJECT_PRESET_ROLES } from '../../shared/workspaces/presets';

/** A project role: a custom role's id, or a preset by name (presets have no rows). */
export const RoleRef = z.union([idSchema('role'), z.enum(PROJECT_PRESET_ROLES)]);
