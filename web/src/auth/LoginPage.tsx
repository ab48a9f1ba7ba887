import { Center, Paper, Title } from '@mantine/core';
import { Navigate, useLocation } from 'react-router';
import { useI18n } from '../i18n/index.tsx';
import { LoginForm } from './LoginForm.tsx';
import { useMe } from './session.ts';

export default function LoginPage() {
  const { t } = useI18n();
  const me = useMe();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  if (me.data) return <Navigate to={from} replace />;
  return (
    <Center h="100vh">
      <Paper withBorder p="xl" w={380} component="main">
        <Title order={1} size="h3" mb="md">
          iotops — {t('login.title')}
        </Title>
        <LoginForm />
      </Paper>
    </Center>
  );
}
