export { AgencyService } from './agency.service.js';
export { AgencyKind, UserStatus } from './identity.enums.js';
export { CreateAgencyInput, CreateUserInput } from './identity.inputs.js';
export { AgencyModel, AuthPayloadModel, UserModel } from './identity.models.js';
export { IDENTITY_ENTITIES, IdentityModule } from './identity.module.js';
export { SessionService } from './session.service.js';
export { UserService } from './user.service.js';
export type { NewUser } from './user.service.js';
export { UserRepository } from './user.repository.js';
