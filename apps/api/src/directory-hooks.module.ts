import { Global, Module } from '@nestjs/common';
import { DIRECTORY_HOOKS, type DirectoryHooks } from '@hearth/identity';
import { ContactCardService, NetworkModule } from '@hearth/network';

/** Where identity's directory meets network (identity does not depend on network). */
@Global()
@Module({
  imports: [NetworkModule],
  providers: [
    {
      provide: DIRECTORY_HOOKS,
      inject: [ContactCardService],
      useFactory: (cards: ContactCardService): DirectoryHooks => ({
        unlisted: (_viewer, userIds) => cards.sensitiveAmong(userIds),
      }),
    },
  ],
  exports: [DIRECTORY_HOOKS],
})
export class DirectoryHooksModule {}
