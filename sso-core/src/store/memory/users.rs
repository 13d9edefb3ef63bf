//! People: users, their emails and usernames, the revocation of their access tokens, and the SSO tokens linked to them.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl UserStore for MemoryStore {
    async fn insert_user(&self, user: &User) -> Result<(), InsertUserError> {
        let mut state = self.lock();
        let email = Some(&user.email_normalized).filter(|e| !e.is_empty());
        let emails = match user.api_user {
            true => &state.api_emails,
            false => &state.emails,
        };
        if email.is_some_and(|e| emails.contains_key(e)) {
            return Err(InsertUserError::EmailTaken);
        }
        if let Some(name) = &user.username
            && state.usernames.contains_key(name)
        {
            return Err(InsertUserError::UsernameTaken);
        }
        if let Some(email) = email {
            match user.api_user {
                true => state.api_emails.insert(email.clone(), user.id),
                false => state.emails.insert(email.clone(), user.id),
            };
        }
        if let Some(name) = &user.username {
            state.usernames.insert(name.clone(), user.id);
        }
        state.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.lock().users.get(&id).cloned())
    }

    async fn update_user(
        &self,
        id: UserId,
        change: crate::store::UserChange,
    ) -> Result<Option<User>, StoreError> {
        let mut state = self.lock();
        Ok(state.users.get_mut(&id).map(|user| {
            change.apply(user);
            user.clone()
        }))
    }

    async fn user_for_token(&self, id: UserId) -> Result<(Option<User>, i64), StoreError> {
        let state = self.lock();
        let revoked = state.revoked_tokens.get(&id).copied().unwrap_or(0);
        Ok((state.users.get(&id).cloned(), revoked))
    }

    async fn revoke_tokens(
        &self,
        user: UserId,
        until_ms: i64,
        keep: Duration,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let was = state.revoked_tokens.get(&user).copied().unwrap_or(0);
        state.revoked_tokens.insert(user, was.max(until_ms), keep);
        Ok(())
    }

    async fn user_by_email(&self, normalized_email: &str) -> Result<Option<User>, StoreError> {
        let state = self.lock();
        Ok(state
            .emails
            .get(normalized_email)
            .and_then(|id| state.users.get(id))
            .cloned())
    }

    async fn link_sso_token(
        &self,
        service: &ServiceId,
        token: &SecretHash,
        user: UserId,
    ) -> Result<(), LinkError> {
        let mut state = self.lock();
        let by_user = (service.clone(), user);
        let by_token = (service.clone(), token.clone());
        match (
            state.user_tokens.get(&by_user),
            state.token_users.get(&by_token),
        ) {
            (Some(linked), _) if linked == token => return Ok(()),
            (Some(_), _) => return Err(LinkError::UserHasToken),
            (None, Some(_)) => return Err(LinkError::TokenLinkedElsewhere),
            (None, None) => {}
        }
        state.user_tokens.insert(by_user, token.clone());
        state.token_users.insert(by_token, user);
        Ok(())
    }

    async fn clear_sso_token(&self, service: &ServiceId, user: UserId) -> Result<bool, StoreError> {
        let mut state = self.lock();
        let Some(token) = state.user_tokens.remove(&(service.clone(), user)) else {
            return Ok(false);
        };
        state.token_users.remove(&(service.clone(), token));
        Ok(true)
    }

    async fn sso_token_user(
        &self,
        service: &ServiceId,
        token: &SecretHash,
    ) -> Result<Option<UserId>, StoreError> {
        let state = self.lock();
        Ok(state
            .token_users
            .get(&(service.clone(), token.clone()))
            .copied())
    }
}
