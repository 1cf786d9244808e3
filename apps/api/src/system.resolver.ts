import { Query, Resolver } from '@nestjs/graphql';
import { Public } from '@hearth/authz';
import { HEARTH_VERSION } from './version.js';

@Resolver()
export class SystemResolver {
  /** The server's version, so a client can tell which contract it talks to. */
  @Public()
  @Query(() => String, { description: "The Hearth server's version" })
  version(): string {
    return HEARTH_VERSION;
  }
}
